#pragma once
/// Routing by method and path, with a mount point (the base path). Pure: no I/O, no Beast.
///
/// Patterns are exact paths ("/healthz") or prefixes ending in "/*" ("/static/*"); both are
/// relative to the base path. An exact route wins over a prefix; a longer prefix wins over a
/// shorter one. HEAD falls back to the GET route and the body is dropped (Content-Length kept).
/// Threading: build the router on one thread, then hand it to the server; after that it is only
/// read, so match()/dispatch() may run on many threads at once.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace vmterm::http {

/// What a handler knows about the request beyond its headers and body.
struct request_context {
  std::string route{};         ///< matched template incl. base path, e.g. "/vmterm/static/*"
  std::string path{};          ///< url.path: the target without the query
  std::string query{};         ///< the target after '?', "" when none; never logged or traced
  std::string rest{};          ///< for prefix routes: the path below the prefix ("app.js")
  std::string request_id{};    ///< the X-Request-ID of this request (taken or generated)
  std::string peer_address{};  ///< the client's IP address
};

/// Handlers get the request with `url` holding the origin-form target ("/path?query"). They
/// run on the connection's strand and must not block for long; an exception becomes a 500.
using handler = std::function<response(const request&, const request_context&)>;

/// An accepted connection taken over by an upgrade route (the WebSocket seam). Opaque here;
/// http/upgrade.hpp opens it (Beast stream, read buffer, raw request). Move-only; owning.
class upgraded_connection {
 public:
  struct impl;
  explicit upgraded_connection(std::unique_ptr<impl> p) noexcept;
  upgraded_connection(upgraded_connection&&) noexcept;
  upgraded_connection& operator=(upgraded_connection&&) noexcept;
  ~upgraded_connection();
  [[nodiscard]] impl& get() noexcept { return *impl_; }

 private:
  std::unique_ptr<impl> impl_;
};

/// Takes over the socket: called on the connection's strand with the request and the
/// connection; the server forgets the connection afterwards.
using upgrade_handler =
    std::function<void(const request&, const request_context&, upgraded_connection)>;

/// Runs before an upgrade is handed off, inside the request's middleware (SERVER span
/// "GET /ws/terminal/" with its parent from traceparent, request id, metrics, security headers):
/// returns a response to refuse the upgrade (401, 403, 503...), which is sent like any other
/// (and recorded by the span and metrics) before the connection closes; nullopt to proceed. An
/// exception from the gate is a 500. The upgrade handler then runs synchronously with that
/// SERVER span's context current on the thread: `trace::current_context()` (trace/context.hpp)
/// returns it, so the handler copies it (a plain value) and later passes it to
/// `tracer::start_span(name, ctx, kind)` as the WebSocket session span's parent; it stops being
/// current when the handler returns. The span and metrics record status 101; the span ends when
/// the handler returns. An upgrade route without a gate hands off at once (same span).
/// A request to an upgrade route that does not ask for `Upgrade: websocket` (with
/// `Connection: Upgrade`, HTTP/1.1, GET) gets 426 Upgrade Required with `Upgrade: websocket`.
using upgrade_gate = std::function<std::optional<response>(const request&, const request_context&)>;

/// The outcome of matching one request.
struct route_match {
  enum class kind { handled, upgrade, not_found, method_not_allowed, redirect };
  kind result = kind::not_found;
  std::string route{};          ///< the template, "" when nothing matched the path
  std::string rest{};           ///< path below a prefix route
  std::string allow{};          ///< for 405: "GET, HEAD"
  std::string location{};       ///< for redirects
  const handler* fn = nullptr;  ///< for kind::handled (owned by the router)
  const upgrade_handler* upgrade_fn = nullptr;
  const upgrade_gate* gate = nullptr;  ///< for kind::upgrade; null when the route has none
  bool head_as_get = false;            ///< a HEAD request served by the GET route
};

class router {
 public:
  /// `base_path` "", "/" or e.g. "/vmterm" (normalised to "/vmterm/"). Throws
  /// std::invalid_argument unless it starts with '/'.
  explicit router(std::string_view base_path = "/");

  /// Adds a route; throws std::invalid_argument on a pattern not starting with '/' or a
  /// duplicate method + pattern.
  void add(std::string method, std::string_view pattern, handler fn);
  /// Adds a route whose handler takes over the connection when the request asks to upgrade.
  void add_upgrade(std::string method, std::string_view pattern, upgrade_handler fn,
                   upgrade_gate gate = {});

  [[nodiscard]] const std::string& base_path() const noexcept { return base_; }

  /// Finds the route for `method` and `path` (url.path, without query).
  [[nodiscard]] route_match match(std::string_view method, std::string_view path) const;

  /// Produces the response for a match that is not an upgrade: calls the handler (HEAD → GET
  /// without body), or builds 404, 405 (with Allow) or the base-path redirect (308).
  [[nodiscard]] response dispatch(const route_match& m, const request& req,
                                  const request_context& ctx) const;

 private:
  struct entry {
    std::string method;
    std::string pattern;  ///< full template incl. base path
    bool prefix = false;
    handler fn;
    upgrade_handler upgrade_fn;
    upgrade_gate gate;
  };
  void insert(entry e);
  [[nodiscard]] bool path_matches(const entry& e, std::string_view path) const noexcept;
  [[nodiscard]] const entry* most_specific(std::string_view path) const noexcept;

  std::string base_;
  std::vector<entry> routes_;
};

/// A response with a plain-text body and status, for errors: "404 Not Found\n".
[[nodiscard]] response text_response(unsigned status, std::string body,
                                     std::string_view content_type = "text/plain; charset=utf-8");

/// The standard reason phrase ("Not Found"); "" for unknown codes.
[[nodiscard]] std::string_view reason_phrase(unsigned status) noexcept;

}  // namespace vmterm::http
