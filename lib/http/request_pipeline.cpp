#include "http/detail/request_pipeline.hpp"

#include <chrono>
#include <exception>
#include <string_view>

#include "core/log.hpp"
#include "http/middleware.hpp"
#include "trace/context.hpp"
#include "trace/propagation.hpp"
#include "trace/semconv.hpp"

namespace vmterm::http {
namespace {

namespace sc = trace::semconv;

/// The host part of a Host header ("example.com:8080" → "example.com", "[::1]:80" → "::1").
std::string_view host_of(std::string_view host) {
  if (host.starts_with('[')) {
    const auto close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(1, close - 1);
  }
  return host.substr(0, host.find(':'));
}

/// Whether `path` is one of the excluded ones, as given or below the router's base path
/// ("/vmterm/metrics" with --base-path /vmterm is "/metrics").
bool excluded_path(const server::state& st, std::string_view path) {
  const auto& tracing = st.options.tracing;
  if (tracing.exclude.empty()) return false;
  if (tracing.excluded(path)) return true;
  const auto& base = st.routes.base_path();
  return base.size() > 1 && path.starts_with(base) &&
         tracing.excluded(path.substr(base.size() - 1));
}

trace::span start_server_span(server::state& st, const request& req, const request_context& ctx,
                              const trace::context& parent) {
  // An excluded path (a scrape, a probe) makes no span, unless the caller sampled its trace.
  if (excluded_path(st, ctx.path) && !(parent.span.valid() && parent.span.sampled())) {
    return trace::span{};
  }
  const std::string_view method = known_method(req.method);
  std::string name(method == "_OTHER" ? "HTTP" : method);
  if (!ctx.route.empty()) name += " " + ctx.route;
  trace::span span = st.tracer.start_span(name, parent, trace::span_kind::server);
  if (!span.is_recording()) return span;
  span.set_attribute(sc::http_request_method, method);
  if (method == "_OTHER" && !req.method.empty()) {
    span.set_attribute(sc::http_request_method_original, req.method);
  }
  if (!ctx.path.empty()) span.set_attribute(sc::url_path, ctx.path);
  span.set_attribute(sc::url_scheme, st.tls ? "https" : "http");
  if (!ctx.route.empty()) span.set_attribute(sc::http_route, ctx.route);
  const auto host = req.headers.get("Host");
  span.set_attribute(sc::server_address, host ? host_of(*host) : st.configured.address);
  span.set_attribute(sc::server_port, static_cast<std::int64_t>(st.port.load()));
  span.set_attribute(sc::network_peer_address, ctx.peer_address);
  if (const auto ua = req.headers.get("User-Agent"))
    span.set_attribute(sc::user_agent_original, *ua);
  return span;
}

/// Calls fn() (a handler or a gate); an exception is recorded and becomes a 500.
template <class F>
response call_guarded(const F& fn, const request_context& ctx, trace::span& span, bool& threw) {
  threw = false;
  try {
    return fn();
  } catch (const std::exception& e) {
    threw = true;
    span.record_exception(e);
    log::error("http handler failed", {{"route", ctx.route}, {"error", e.what()}});
  } catch (...) {
    threw = true;
    span.record_exception("unknown", "unknown exception");
    log::error("http handler failed", {{"route", ctx.route}});
  }
  return text_response(500, "500 Internal Server Error\n");
}

/// The telemetry of one request for the object's lifetime: the SERVER span (ended on
/// destruction), its context current on this thread, and the request id in the log scope.
/// Lives on the stack of one handler on the connection's strand.
class request_scope {
 public:
  using clock = std::chrono::steady_clock;

  request_scope(server::state& st, const request& req, const request_context& ctx,
                clock::time_point start = clock::now())
      : st_(st),
        req_(req),
        ctx_(ctx),
        start_(start),
        parent_(trace::extract(trace::header_list(req.headers.begin(), req.headers.end()))),
        span_(start_server_span(st, req, ctx, parent_)),
        ids_(ctx.request_id),
        current_(span_.context().valid() ? trace::context{span_.context(), parent_.baggage}
                                         : parent_) {}
  request_scope(const request_scope&) = delete;
  request_scope& operator=(const request_scope&) = delete;

  [[nodiscard]] trace::span& span() noexcept { return span_; }

  /// Adds the common headers to `res` and records its status (a 5xx, or a thrown handler,
  /// marks the span as an error; `error_type` overrides the status as error.type).
  void finish(response& res, bool threw, std::string_view error_type = {}) {
    finish_response(res, ctx_.request_id);
    if (!error_type.empty()) {
      span_.set_attribute(sc::error_type, error_type);
    } else if (res.status >= 500 && !threw) {
      span_.set_attribute(sc::error_type, std::to_string(res.status));
    }
    if (res.status >= 500 || threw) span_.set_status(trace::status_code::error);
    record(res.status);
  }

  /// Records a 101 Switching Protocols (the upgrade's own response is the handler's to send).
  void switched() { record(101); }

 private:
  void record(unsigned status) {
    span_.set_attribute(sc::http_response_status_code, static_cast<std::int64_t>(status));
    const double seconds = std::chrono::duration<double>(clock::now() - start_).count();
    const std::string_view method = known_method(req_.method);
    const std::string_view route =
        ctx_.route.empty() ? std::string_view("unmatched") : std::string_view(ctx_.route);
    if (st_.requests != nullptr) st_.requests->labels(method, route, std::to_string(status)).inc();
    if (st_.durations != nullptr) st_.durations->labels(method, route).observe(seconds);
    log::info("http request", {{"method", method},
                               {"path", ctx_.path},
                               {"route", ctx_.route},
                               {"status", status},
                               {"duration_ms", seconds * 1000.0}});
    const auto slow = st_.options.tracing.slow;
    if (slow.count() > 0 && seconds * 1000.0 > static_cast<double>(slow.count())) {
      if (st_.slow_requests != nullptr) st_.slow_requests->labels(method, route).inc();
      log::warn("slow http request", {{"method", method},
                                      {"path", ctx_.path},
                                      {"route", ctx_.route},
                                      {"status", status},
                                      {"duration_ms", seconds * 1000.0},
                                      {"slow_request_ms", slow.count()}});
    }
  }

  server::state& st_;
  const request& req_;
  const request_context& ctx_;
  clock::time_point start_;
  trace::context parent_;
  trace::span span_;
  log::request_id_scope ids_;
  trace::context_scope current_;
};

}  // namespace

void finish_response(response& res, const std::string& request_id) {
  add_security_headers(res.headers);
  res.headers.set("X-Request-ID", request_id);
  if (res.reason.empty()) res.reason = std::string(reason_phrase(res.status));
}

response run_pipeline(server::state& st, const route_match& m, const request& req,
                      const request_context& ctx) {
  request_scope scope(st, req, ctx);
  bool threw = false;
  response res =
      call_guarded([&] { return st.routes.dispatch(m, req, ctx); }, ctx, scope.span(), threw);
  scope.finish(res, threw);
  return res;
}

std::optional<response> run_upgrade_pipeline(server::state& st, const route_match& m,
                                             const request& req, const request_context& ctx,
                                             const std::function<void()>& hand_off) {
  request_scope scope(st, req, ctx);
  if (m.gate != nullptr) {
    bool threw = false;
    std::optional<response> refused;
    response res = call_guarded(
        [&] {
          refused = (*m.gate)(req, ctx);
          return response{};
        },
        ctx, scope.span(), threw);
    if (threw) refused = std::move(res);
    if (refused) {
      scope.finish(*refused, threw);
      return refused;
    }
  }
  scope.switched();
  try {
    hand_off();
  } catch (const std::exception& e) {
    scope.span().record_exception(e);
    scope.span().set_status(trace::status_code::error);
    log::error("http upgrade handler failed", {{"route", ctx.route}, {"error", e.what()}});
  } catch (...) {
    scope.span().record_exception("unknown", "unknown exception");
    scope.span().set_status(trace::status_code::error);
    log::error("http upgrade handler failed", {{"route", ctx.route}});
  }
  return std::nullopt;
}

response run_rejection(server::state& st, unsigned status, const request* partial,
                       const std::string& peer, std::chrono::steady_clock::time_point started,
                       std::string body) {
  request req;
  request_context ctx;
  if (partial != nullptr) {
    req = *partial;
    req.body.clear();
    const auto q = req.url.find('?');
    ctx.path = req.url.substr(0, q);
    if (status == 413 || status == 431) ctx.route = st.routes.match(req.method, ctx.path).route;
    ctx.request_id = request_id_for(req.headers);
  } else {
    req.method.clear();  // unknown: "_OTHER" in the metrics, span named "HTTP"
    ctx.request_id = generate_request_id();
  }
  ctx.peer_address = peer;
  request_scope scope(st, req, ctx, started);
  if (body.empty()) body = std::to_string(status) + " " + std::string(reason_phrase(status)) + "\n";
  response res = text_response(status, std::move(body));
  scope.finish(res, false, std::to_string(status));
  return res;
}

}  // namespace vmterm::http
