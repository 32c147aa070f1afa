#pragma once
// A hand-built span set covering every field of the OTLP mapping, and a field-by-field
// comparison for round trips (span_data itself has no operator==).

#include <catch2/catch.hpp>
#include <memory>
#include <vector>

#include "trace/span_data.hpp"

namespace vmterm::test {

inline trace::trace_id tid(std::string_view hex) { return *trace::trace_id::from_hex(hex); }
inline trace::span_id sid(std::string_view hex) { return *trace::span_id::from_hex(hex); }

inline std::vector<trace::span_data> sample_spans() {
  using namespace trace;
  auto res = std::make_shared<resource>(resource{
      {{"service.name", std::string("vmterm-serve")}, {"process.pid", std::int64_t{4242}}}, 1});
  auto other_res = std::make_shared<resource>(resource{{{"service.name", std::string("w")}}, 0});
  auto http =
      std::make_shared<instrumentation_scope>(instrumentation_scope{"vmterm.http", "0.1.0"});
  auto redis = std::make_shared<instrumentation_scope>(instrumentation_scope{"vmterm.redis", ""});

  std::vector<span_data> spans(4);
  auto& server = spans[0];
  server.trace = tid("4bf92f3577b34da6a3ce929d0e0e4736");
  server.span = sid("00f067aa0ba902b7");
  server.parent = sid("a3ce929d0e0e4736");
  server.parent_remote = true;
  server.trace_state = "ot=th:8;rv:1,congo=t61rcWkgMzE";
  server.flags = 0x03;
  server.name = "GET /ws/terminal/";
  server.kind = span_kind::server;
  server.start_unix_nano = 1544712660000000000;
  server.end_unix_nano = 1544712661000000000;
  server.attrs = {{"http.request.method", std::string("GET")},
                  {"http.response.status_code", std::int64_t{101}},
                  {"big", std::int64_t{-9007199254740993}},
                  {"ratio", 0.25},
                  {"ok", true},
                  {"quote\"\\\n\x01", std::string("caf\xc3\xa9 \xff")},
                  {"tags", std::vector<std::string>{"a", "b"}},
                  {"flags", std::vector<bool>{true, false}},
                  {"ports", std::vector<std::int64_t>{80, 443}},
                  {"weights", std::vector<double>{1.5, -2.0}}};
  server.dropped_attributes_count = 2;
  server.events = {{"resize", 1544712660500000000, {{"cols", std::int64_t{120}}}, 0},
                   {"exit", 1544712660900000000, {}, 3}};
  server.dropped_events_count = 1;
  link l;
  l.context.trace = tid("0af7651916cd43dd8448eb211c80319c");
  l.context.span = sid("b7ad6b7169203331");
  l.context.flags = 0x01;
  l.context.trace_state = "k=v";
  l.context.remote = true;
  l.attrs = {{"opentracing.ref_type", std::string("follows_from")}};
  l.dropped_attributes_count = 4;
  server.links = {l};
  server.dropped_links_count = 5;
  server.status = {status_code::error, "terminal closed"};
  server.resource = res;
  server.scope = http;

  auto& cmd = spans[1];
  cmd.trace = server.trace;
  cmd.span = sid("1111111111111111");
  cmd.parent = server.span;
  cmd.name = "PING";
  cmd.kind = span_kind::client;
  cmd.start_unix_nano = 1544712660100000000;
  cmd.end_unix_nano = 1544712660100200000;
  cmd.status = {status_code::ok, ""};
  cmd.resource = res;
  cmd.scope = redis;

  auto& child = spans[2];
  child = cmd;
  child.span = sid("2222222222222222");
  child.name = "GET /";
  child.kind = span_kind::internal;
  child.status = {};
  child.scope = http;

  auto& root = spans[3];
  root.trace = tid("00000000000000000000000000000001");
  root.span = sid("0000000000000002");
  root.flags = 0;
  root.name = "run/health_check";
  root.kind = span_kind::consumer;
  root.resource = other_res;
  root.scope = nullptr;
  return spans;
}

inline void require_same_attrs(const trace::attributes& a, const trace::attributes& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].key == b[i].key);
    CHECK(a[i].value == b[i].value);
  }
}

inline void require_same_span(const trace::span_data& a, const trace::span_data& b) {
  CHECK(a.trace == b.trace);
  CHECK(a.span == b.span);
  CHECK(a.parent == b.parent);
  CHECK(a.trace_state == b.trace_state);
  CHECK(a.flags == b.flags);
  CHECK(a.parent_remote == b.parent_remote);
  CHECK(a.name == b.name);
  CHECK(a.kind == b.kind);
  CHECK(a.start_unix_nano == b.start_unix_nano);
  CHECK(a.end_unix_nano == b.end_unix_nano);
  require_same_attrs(a.attrs, b.attrs);
  CHECK(a.events == b.events);
  REQUIRE(a.links.size() == b.links.size());
  for (std::size_t i = 0; i < a.links.size(); ++i) {
    CHECK(a.links[i].context.trace == b.links[i].context.trace);
    CHECK(a.links[i].context.span == b.links[i].context.span);
    CHECK(a.links[i].context.flags == b.links[i].context.flags);
    CHECK(a.links[i].context.trace_state == b.links[i].context.trace_state);
    CHECK(a.links[i].context.remote == b.links[i].context.remote);
    require_same_attrs(a.links[i].attrs, b.links[i].attrs);
    CHECK(a.links[i].dropped_attributes_count == b.links[i].dropped_attributes_count);
  }
  CHECK(a.status == b.status);
  CHECK(a.dropped_attributes_count == b.dropped_attributes_count);
  CHECK(a.dropped_events_count == b.dropped_events_count);
  CHECK(a.dropped_links_count == b.dropped_links_count);
  const trace::resource empty_resource;
  const auto& ra = a.resource ? *a.resource : empty_resource;
  const auto& rb = b.resource ? *b.resource : empty_resource;
  require_same_attrs(ra.attrs, rb.attrs);
  CHECK(ra.dropped_attributes_count == rb.dropped_attributes_count);
  const trace::instrumentation_scope empty_scope;
  const auto& sa = a.scope ? *a.scope : empty_scope;
  const auto& sb = b.scope ? *b.scope : empty_scope;
  CHECK(sa.name == sb.name);
  CHECK(sa.version == sb.version);
}

}  // namespace vmterm::test
