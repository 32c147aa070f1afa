#include "http/request_pipeline.hpp"

#include <chrono>
#include <exception>

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

trace::span start_server_span(server::state& st, const request& req, const request_context& ctx,
                              const trace::context& parent) {
  const std::string_view method = known_method(req.method);
  std::string name(method == "_OTHER" ? "HTTP" : method);
  if (!ctx.route.empty()) name += " " + ctx.route;
  trace::span span = st.tracer.start_span(name, parent, trace::span_kind::server);
  if (!span.is_recording()) return span;
  span.set_attribute(sc::http_request_method, method);
  if (method == "_OTHER") span.set_attribute(sc::http_request_method_original, req.method);
  span.set_attribute(sc::url_path, ctx.path);
  if (!ctx.route.empty()) span.set_attribute(sc::http_route, ctx.route);
  const auto host = req.headers.get("Host");
  span.set_attribute(sc::server_address, host ? host_of(*host) : st.configured.address);
  span.set_attribute(sc::server_port, static_cast<std::int64_t>(st.port.load()));
  span.set_attribute(sc::network_peer_address, ctx.peer_address);
  if (const auto ua = req.headers.get("User-Agent"))
    span.set_attribute(sc::user_agent_original, *ua);
  return span;
}

response call_handler(server::state& st, const route_match& m, const request& req,
                      const request_context& ctx, trace::span& span, bool& threw) {
  threw = false;
  try {
    return st.routes.dispatch(m, req, ctx);
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

void record(server::state& st, std::string_view method, const request_context& ctx, unsigned status,
            double seconds) {
  const std::string_view route = ctx.route.empty() ? std::string_view("unmatched") : ctx.route;
  if (st.requests != nullptr) st.requests->labels(method, route, std::to_string(status)).inc();
  if (st.durations != nullptr) st.durations->labels(method, route).observe(seconds);
}

}  // namespace

void finish_response(response& res, const std::string& request_id) {
  add_security_headers(res.headers);
  res.headers.set("X-Request-ID", request_id);
  if (res.reason.empty()) res.reason = std::string(reason_phrase(res.status));
}

response run_pipeline(server::state& st, const route_match& m, const request& req,
                      const request_context& ctx) {
  const auto start = std::chrono::steady_clock::now();
  const trace::header_list carrier(req.headers.begin(), req.headers.end());
  const trace::context parent = trace::extract(carrier);
  trace::span span = start_server_span(st, req, ctx, parent);
  const log::request_id_scope id_scope(ctx.request_id);
  const trace::context_scope span_scope(trace::context{span.context(), parent.baggage});

  bool threw = false;
  response res = call_handler(st, m, req, ctx, span, threw);
  finish_response(res, ctx.request_id);

  span.set_attribute(sc::http_response_status_code, static_cast<std::int64_t>(res.status));
  if (res.status >= 500) {
    if (!threw) span.set_attribute(sc::error_type, std::to_string(res.status));
    span.set_status(trace::status_code::error);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string_view method = known_method(req.method);
  record(st, method, ctx, res.status, seconds);
  log::info("http request", {{"method", method},
                             {"path", ctx.path},
                             {"route", ctx.route},
                             {"status", res.status},
                             {"duration_ms", seconds * 1000.0}});
  return res;
}

}  // namespace vmterm::http
