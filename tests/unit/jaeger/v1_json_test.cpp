#include "jaeger/v1_json.hpp"
#include "fixture_file.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

namespace vmterm::jaeger {
namespace {

std::string service_of(const trace::span_data& s) {
  const auto* v = trace::find_attribute(s.resource->attrs, "service.name");
  return v ? std::get<std::string>(*v) : "";
}

template <class T>
T attr(const trace::attributes& attrs, std::string_view key) {
  const auto* v = trace::find_attribute(attrs, key);
  REQUIRE(v != nullptr);
  REQUIRE(std::holds_alternative<T>(*v));
  return std::get<T>(*v);
}

}  // namespace

TEST_CASE("The /api/traces envelope fixture decodes to spans with ids, kind, scope and service",
          "[jaeger]") {
  auto doc = decode_v1_json(read_fixture("v1_api_traces_response.json"), "api.json");
  REQUIRE(doc);
  CHECK(doc->trace_count == 1);
  CHECK(doc->errors.empty());
  REQUIRE(doc->spans.size() == 2);  // the fixture repeats one span id: both are kept
  for (const auto& s : doc->spans) {
    CHECK(s.trace.hex() == "83a9efd15c1c98a977e0711cc93ee28b");
    CHECK(s.span.hex() == "e127af99e3b3e074");
    CHECK(s.parent.hex() == "909541b92cf05311");
    CHECK(s.name == "okey-dokey-0");
    CHECK(s.kind == trace::span_kind::server);
    CHECK(s.start_unix_nano == 1706678909209712000ULL);
    CHECK(s.end_unix_nano == 1706678909209712000ULL + 123000);
    REQUIRE(s.scope);
    CHECK(s.scope->name == "telemetrygen");
    CHECK(service_of(s) == "telemetrygen");
    REQUIRE(s.attrs.size() == 2);  // span.kind and otel.scope.name became fields
    CHECK(attr<std::string>(s.attrs, "net.peer.ip") == "1.2.3.4");
    CHECK(attr<std::string>(s.attrs, "peer.service") == "telemetrygen-client");
    CHECK(s.status.code == trace::status_code::unset);
  }
  CHECK(doc->spans[0].resource == doc->spans[1].resource);  // one process, shared
}

TEST_CASE("The UI trace fixture decodes every tag type, logs, references and processes",
          "[jaeger]") {
  auto doc = decode_v1_json(read_fixture("v1_ui_trace_all_tag_types.json"), "ui.json");
  REQUIRE(doc);
  REQUIRE(doc->spans.size() == 5);
  const auto& s = doc->spans;
  CHECK(s[0].trace.hex() == "00000000000000000000000000000001");  // 16 hex digits, left-padded
  CHECK(s[0].span.hex() == "0000000000000002");
  CHECK_FALSE(s[0].parent.valid());
  CHECK(service_of(s[0]) == "service-x");
  REQUIRE(s[0].events.size() == 2);
  CHECK(s[0].events[0].name == "some-event");
  CHECK(s[0].events[0].time_unix_nano == 1485467191639875000ULL);
  CHECK(s[0].events[0].attrs.empty());
  CHECK(s[0].events[1].name.empty());
  CHECK(attr<std::string>(s[0].events[1].attrs, "x") == "y");

  CHECK(attr<std::string>(s[1].attrs, "peer.service") == "service-y");
  CHECK(attr<std::int64_t>(s[1].attrs, "peer.ipv4") == 23456);
  CHECK(attr<double>(s[1].attrs, "temperature") == 72.5);
  CHECK(attr<std::int64_t>(s[1].attrs, "javascript_limit") == 9223372036854775222LL);
  CHECK(attr<std::string>(s[1].attrs, "blob") == "AAAwOQ==");
  CHECK(trace::find_attribute(s[1].attrs, "error") == nullptr);
  CHECK(s[1].status.code == trace::status_code::error);
  CHECK(s[1].kind == trace::span_kind::internal);

  CHECK(s[2].parent.hex() == "0000000000000002");
  CHECK(service_of(s[2]) == "service-y");

  // First CHILD_OF names another trace: it is the parent (an orphan here), also kept as a link.
  CHECK(s[3].parent.hex() == "00000000000000ff");
  REQUIRE(s[3].links.size() == 3);
  CHECK(s[3].links[0].context.trace.hex() == "000000000000000000000000000000ff");
  CHECK(attr<std::string>(s[3].links[0].attrs, "opentracing.ref_type") == "child_of");
  CHECK(s[3].links[1].context.span.hex() == "0000000000000002");
  CHECK(attr<std::string>(s[3].links[1].attrs, "opentracing.ref_type") == "child_of");
  CHECK(s[3].links[2].context.span.hex() == "0000000000000002");
  CHECK(attr<std::string>(s[3].links[2].attrs, "opentracing.ref_type") == "follows_from");
  CHECK(attr<std::vector<std::string>>(s[3].attrs, "@jaeger@warnings") ==
        std::vector<std::string>{"some span warning"});
  CHECK(s[4].parent.hex() == "0000000000000004");
  CHECK(s[4].end_unix_nano - s[4].start_unix_nano == 4000);
}

TEST_CASE("Embedded processes and values written as strings decode to typed values", "[jaeger]") {
  const std::string text = R"({"traceID":"abc","spans":[{"traceID":"abc","spanID":"1f",
    "operationName":"op","references":[{"refType":"FOLLOWS_FROM","traceID":"abc","spanID":"2"}],
    "startTime":"1000","duration":"5","tags":[
      {"key":"b","type":"bool","value":"true"},{"key":"i","type":"int64","value":"42"},
      {"key":"f","type":"float64","value":"1.5"},{"key":"bad","type":"int64","value":"x1"},
      {"key":"span.kind","type":"string","value":"client"},
      {"key":"otel.status_code","type":"string","value":"ERROR"},
      {"key":"otel.status_description","type":"string","value":"boom"}],
    "logs":[{"timestamp":"1002","fields":[{"key":"event","type":"string","value":"retry"},
                                          {"key":"n","type":"int64","value":"2"}]}],
    "process":{"serviceName":"svc","tags":[{"key":"host.name","type":"string","value":"h1"}]}}]})";
  auto doc = decode_v1_json(text, "anon.json");
  REQUIRE(doc);
  REQUIRE(doc->spans.size() == 1);
  const auto& s = doc->spans[0];
  CHECK(s.trace.hex() == "00000000000000000000000000000abc");
  CHECK(s.span.hex() == "000000000000001f");
  CHECK_FALSE(s.parent.valid());
  CHECK(s.start_unix_nano == 1'000'000);
  CHECK(s.end_unix_nano == 1'005'000);
  CHECK(attr<bool>(s.attrs, "b"));
  CHECK(attr<std::int64_t>(s.attrs, "i") == 42);
  CHECK(attr<double>(s.attrs, "f") == 1.5);
  CHECK(attr<std::string>(s.attrs, "bad") == "x1");
  CHECK(s.kind == trace::span_kind::client);
  CHECK(s.status == trace::status{trace::status_code::error, "boom"});
  REQUIRE(s.events.size() == 1);
  CHECK(s.events[0].name == "retry");
  CHECK(s.events[0].time_unix_nano == 1'002'000);
  CHECK(attr<std::int64_t>(s.events[0].attrs, "n") == 2);
  REQUIRE(s.links.size() == 1);
  CHECK(attr<std::string>(s.links[0].attrs, "opentracing.ref_type") == "follows_from");
  CHECK(service_of(s) == "svc");
  CHECK(attr<std::string>(s.resource->attrs, "host.name") == "h1");
}

TEST_CASE("A Jaeger error body is a failure that quotes the server", "[jaeger]") {
  auto doc = decode_v1_json(
      R"({"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]})",
      "http://127.0.0.1:16686/api/traces/1");
  REQUIRE_FALSE(doc);
  CHECK(doc.error().message ==
        "decode Jaeger v1 JSON 'http://127.0.0.1:16686/api/traces/1': the server reported: trace "
        "not found (code 404)");
}

TEST_CASE("Envelope errors next to data are reported alongside the spans", "[jaeger]") {
  auto doc = decode_v1_json(R"({"data":[{"traceID":"1","spans":[],"processes":{}}],
    "errors":[{"msg":"trace not found","traceID":"ff"}]})",
                            "multi");
  REQUIRE(doc);
  CHECK(doc->trace_count == 1);
  CHECK(doc->errors == std::vector<std::string>{"trace not found (traceID ff)"});
}

TEST_CASE("Malformed v1 input gives one message naming the input and the problem", "[jaeger]") {
  auto not_json = decode_v1_json("{\"data\": [", "bad.json");
  REQUIRE_FALSE(not_json);
  CHECK(not_json.error().message.rfind("decode Jaeger v1 JSON 'bad.json': [json.exception.", 0) ==
        0);

  auto other = decode_v1_json(R"({"resourceSpans":[]})", "otlp.json");
  REQUIRE_FALSE(other);
  CHECK(other.error().message ==
        "decode Jaeger v1 JSON 'otlp.json': not Jaeger v1 JSON; expected {\"data\":[...]} or a "
        "trace object with \"traceID\" and \"spans\"");

  auto bad_id = decode_v1_json(
      R"({"traceID":"1","spans":[{"traceID":"1","spanID":"xyz","operationName":"a","startTime":1}]})",
      "t.json");
  REQUIRE_FALSE(bad_id);
  CHECK(bad_id.error().message == "decode Jaeger v1 JSON 't.json': span 0: invalid spanID 'xyz'");

  auto no_start = decode_v1_json(
      R"({"traceID":"1","spans":[{"traceID":"1","spanID":"2","operationName":"a"}]})", "t.json");
  REQUIRE_FALSE(no_start);
  CHECK(no_start.error().message ==
        "decode Jaeger v1 JSON 't.json': span 0: missing or invalid startTime");
}

TEST_CASE("An empty search result decodes to no spans", "[jaeger]") {
  auto doc = decode_v1_json(R"({"data":[],"total":0,"limit":0,"offset":0,"errors":null})", "x");
  REQUIRE(doc);
  CHECK(doc->spans.empty());
  CHECK(doc->trace_count == 0);
}

}  // namespace vmterm::jaeger

#include <nlohmann/json.hpp>

#include "jaeger/json_render.hpp"
#include "jaeger/tree_render.hpp"

namespace vmterm::jaeger {

TEST_CASE("Both v1 fixtures build trees that render as text and JSON", "[jaeger]") {
  auto api = decode_v1_json(read_fixture("v1_api_traces_response.json"), "api.json");
  REQUIRE(api);
  auto api_trees = build_trees(std::move(api->spans));
  REQUIRE(api_trees.size() == 1);
  CHECK(api_trees[0].orphan_count == 2);  // both name the missing 909541b92cf05311
  CHECK(api_trees[0].duplicate_count == 1);
  CHECK(render_tree(api_trees[0], {}) ==
        "trace 83a9efd15c1c98a977e0711cc93ee28b  2024-01-31T05:28:29.209712Z  123µs  2 spans, 0 "
        "errors, 2 orphans, 1 duplicate id\n"
        "okey-dokey-0  telemetrygen  server      +0µs   123µs  self  123µs ◆  orphan (parent "
        "909541b92cf05311 missing)  duplicate id e127af99e3b3e074\n"
        "okey-dokey-0  telemetrygen  server      +0µs   123µs  self  123µs    orphan (parent "
        "909541b92cf05311 missing)  duplicate id e127af99e3b3e074\n");

  auto ui = decode_v1_json(read_fixture("v1_ui_trace_all_tag_types.json"), "ui.json");
  REQUIRE(ui);
  auto ui_trees = build_trees(std::move(ui->spans));
  REQUIRE(ui_trees.size() == 1);
  const auto& t = ui_trees[0];
  CHECK(t.duplicate_count == 1);
  CHECK(t.orphan_count == 1);  // reference-test's first CHILD_OF names another trace
  CHECK(t.error_count == 1);
  std::vector<std::string> names;
  std::vector<std::uint32_t> depths;
  for (auto i : t.order) {
    names.push_back(t.nodes[i].span.name);
    depths.push_back(t.nodes[i].depth);
  }
  CHECK(names == std::vector<std::string>{"test-general-conversion", "some-operation",
                                          "some-operation", "reference-test",
                                          "preserveParentID-test"});
  CHECK(depths == std::vector<std::uint32_t>{0, 1, 0, 0, 1});
  const auto j = nlohmann::json::parse(render_json(ui_trees));
  CHECK(j["span_count"] == 5);
  CHECK(j["spans"][3]["links"].size() == 3);
  CHECK(j["spans"][2]["attributes"]["javascript_limit"] == 9223372036854775222LL);
  CHECK(!render_tree(t, {.verbose = true, .width = 80}).empty());
}

}  // namespace vmterm::jaeger
