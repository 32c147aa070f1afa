#pragma once
/// Internal to lib/http: the middleware around one request, in the session but apart from its
/// I/O: SERVER span (parent from traceparent), request-id log scope, router dispatch
/// (exceptions → 500), security and X-Request-ID headers, metrics, one log line. Three entry
/// points share it: routed requests, upgrade requests (gate, then hand-off), and requests the
/// server refuses before routing (400, 408, 413, 431).

#include <chrono>
#include <functional>
#include <optional>

#include "http/detail/server_state.hpp"
#include "http/router.hpp"

namespace vmterm::http {

/// Runs the handler for `m` and returns the finished response. Never throws except bad_alloc.
[[nodiscard]] response run_pipeline(server::state& st, const route_match& m, const request& req,
                                    const request_context& ctx);

/// For an upgrade request (m.kind == upgrade, the client asked to upgrade): runs m.gate inside
/// the middleware. A response from the gate (or a 500 if it threw) is finished and returned for
/// the session to send. Otherwise the span and metrics record 101 and `hand_off` runs with the
/// SERVER span's context current (trace::current_context()), then nullopt is returned.
[[nodiscard]] std::optional<response> run_upgrade_pipeline(server::state& st, const route_match& m,
                                                           const request& req,
                                                           const request_context& ctx,
                                                           const std::function<void()>& hand_off);

/// For a request refused before routing: `partial` holds what was parsed (method, target and
/// headers once the header was complete, else null). Records a SERVER span with error.type,
/// the metrics and a log line, and returns the finished error response. `started` is when the
/// request's first byte was being waited for (for the duration). `body` replaces the default
/// "<status> <reason>" text. The route is recorded only for 413 and 431 (a request too large
/// for the route it named); a 408, or a request refused for its Host, never reached one, so
/// its time is not counted under a route's duration.
[[nodiscard]] response run_rejection(server::state& st, unsigned status, const request* partial,
                                     const std::string& peer,
                                     std::chrono::steady_clock::time_point started,
                                     std::string body = {});

/// Adds the headers every response carries: security headers and X-Request-ID.
void finish_response(response& res, const std::string& request_id);

}  // namespace vmterm::http
