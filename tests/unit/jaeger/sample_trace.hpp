#pragma once
// The small trace the renderer tests print:
//   GET /cart (checkout, server) [0, 12.3ms]
//   ├─ SELECT cart (db, client) [1.2ms, 9.7ms]
//   └─ publish (checkout, producer) [9.8ms, 10.2ms], error "timeout", one event

#include "make_span.hpp"

namespace vmterm::jaeger::test {

inline trace_tree sample_trace() {
  auto root = span("a", "", "GET /cart", 0, 12300, "checkout");
  root.kind = trace::span_kind::server;
  root.attrs.push_back({"http.request.method", std::string("GET")});
  auto query = span("b", "a", "SELECT cart", 1200, 9700, "db");
  query.kind = trace::span_kind::client;
  auto publish = span("c", "a", "publish", 9800, 10200, "checkout");
  publish.kind = trace::span_kind::producer;
  publish.status = {trace::status_code::error, "timeout"};
  publish.attrs.push_back({"messaging.system", std::string("redis")});
  publish.events.push_back({"retry", t0_ns + 10'000'000, {{"attempt", std::int64_t{2}}}, 0});
  return build_tree({root, query, publish});
}

}  // namespace vmterm::jaeger::test
