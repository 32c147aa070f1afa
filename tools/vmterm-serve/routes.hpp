#pragma once
/// vmterm-serve's HTTP surface, below the base path:
///
///   GET /               the terminal page; `/?token=T` logs in (cookie + 303 to `/`)
///   GET /app.js ...     the page's scripts and styles (compiled in, gzip when accepted)
///   GET /favicon.svg    the page's icon, no credentials
///   GET /info           {"target":...,"readonly":B}: what the page asks without upgrading
///                       (401 tells it the login is gone, e.g. after a restart)
///   GET /health-check/  {"status":"ok"}, no credentials (the original app's contract); with
///                       --redis-url it PINGs Redis: 503 {"status":"error","redis":"<why>"}
///                       while Redis is down
///   GET /healthz        liveness, no credentials
///   GET /readyz         readiness of the terminal backend, and of Redis with --redis-url (503
///                       with the reason), no credentials
///   GET /metrics        Prometheus text; bearer token only
///   GET /ws/terminal/   WebSocket upgrade: credentials (401), Origin (403), then the hub
///
/// Every other route needs the session cookie or the bearer token; a browser asking for `/`
/// without one gets the 401 as an HTML page saying where the login URL is printed.

#include <atomic>
#include <memory>

#include "backend.hpp"
#include "http/auth.hpp"
#include "http/router.hpp"
#include "metrics/registry.hpp"
#include "redis_health.hpp"
#include "settings.hpp"
#include "term/session_hub.hpp"

namespace vmterm::serve {

/// What the handlers share; owned by run() and outliving the server.
struct app_state {
  const settings& config;
  http::authenticator& auth;
  metrics::registry& registry;
  std::shared_ptr<backend> terminals;
  std::shared_ptr<term::session_hub> hub;
  /// Set when shutdown began: /readyz answers 503.
  std::atomic<bool> stopping{false};
  /// With --redis-url: PINGed by /health-check/ and /readyz.
  std::shared_ptr<redis_health> redis{};
};

/// The router with every route above, mounted at config.base_path.
[[nodiscard]] http::router make_router(app_state& app);

}  // namespace vmterm::serve
