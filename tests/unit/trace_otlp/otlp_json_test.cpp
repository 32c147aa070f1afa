#include "trace_otlp/otlp_json.hpp"
#include "trace_otlp/otlp_proto.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "sample_spans.hpp"

namespace {

using namespace vmterm;
using test::sample_spans;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string decode_error(std::string_view text, std::string_view name = "t.json") {
  const auto r = trace_otlp::decode_spans(text, name);
  REQUIRE_FALSE(r.has_value());
  return r.error().message;
}

constexpr std::string_view golden =
    R"json({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"vmterm-serve"}},{"key":"process.pid","value":{"intValue":"4242"}}],"droppedAttributesCount":1},"scopeSpans":[{"scope":{"name":"vmterm.http","version":"0.1.0"},"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"00f067aa0ba902b7","traceState":"ot=th:8;rv:1,congo=t61rcWkgMzE","parentSpanId":"a3ce929d0e0e4736","flags":771,"name":"GET /ws/terminal/","kind":2,"startTimeUnixNano":"1544712660000000000","endTimeUnixNano":"1544712661000000000","attributes":[{"key":"http.request.method","value":{"stringValue":"GET"}},{"key":"http.response.status_code","value":{"intValue":"101"}},{"key":"big","value":{"intValue":"-9007199254740993"}},{"key":"ratio","value":{"doubleValue":0.25}},{"key":"ok","value":{"boolValue":true}},{"key":"quote\"\\\n\u0001","value":{"stringValue":"café �"}},{"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"a"},{"stringValue":"b"}]}}},{"key":"flags","value":{"arrayValue":{"values":[{"boolValue":true},{"boolValue":false}]}}},{"key":"ports","value":{"arrayValue":{"values":[{"intValue":"80"},{"intValue":"443"}]}}},{"key":"weights","value":{"arrayValue":{"values":[{"doubleValue":1.5},{"doubleValue":-2}]}}}],"droppedAttributesCount":2,"events":[{"timeUnixNano":"1544712660500000000","name":"resize","attributes":[{"key":"cols","value":{"intValue":"120"}}]},{"timeUnixNano":"1544712660900000000","name":"exit","droppedAttributesCount":3}],"droppedEventsCount":1,"links":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","traceState":"k=v","attributes":[{"key":"opentracing.ref_type","value":{"stringValue":"follows_from"}}],"droppedAttributesCount":4,"flags":769}],"droppedLinksCount":5,"status":{"message":"terminal closed","code":2}},{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"2222222222222222","parentSpanId":"00f067aa0ba902b7","flags":257,"name":"GET /","kind":1,"startTimeUnixNano":"1544712660100000000","endTimeUnixNano":"1544712660100200000","status":{}}]},{"scope":{"name":"vmterm.redis"},"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"1111111111111111","parentSpanId":"00f067aa0ba902b7","flags":257,"name":"PING","kind":3,"startTimeUnixNano":"1544712660100000000","endTimeUnixNano":"1544712660100200000","status":{"code":1}}]}]},{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"w"}}]},"scopeSpans":[{"scope":{},"spans":[{"traceId":"00000000000000000000000000000001","spanId":"0000000000000002","flags":256,"name":"run/health_check","kind":5,"startTimeUnixNano":"0","endTimeUnixNano":"0","status":{}}]}]}]})json";

}  // namespace

TEST_CASE("A hand-built span set encodes to the exact OTLP JSON request", "[trace_otlp]") {
  const auto spans = sample_spans();
  CHECK(trace_otlp::encode_request(spans) == golden);
}

TEST_CASE("Encoding appends to the output and an empty batch is an empty request", "[trace_otlp]") {
  std::string out = "x";
  trace_otlp::encode_request(std::span<const trace::span_data>(), out);
  CHECK(out == R"(x{"resourceSpans":[]})");
}

TEST_CASE("Records read in place encode to the same request as a contiguous batch",
          "[trace_otlp]") {
  // exporter::export_records' form: pointers to records wherever they are, here in reverse
  // order, so that the grouping by resource and scope is built from the pointers' order too.
  const auto spans = sample_spans();
  std::vector<trace::span_data> reversed(spans.rbegin(), spans.rend());
  std::vector<const trace::span_data*> pointers;
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) pointers.push_back(&*it);
  const std::span<const trace::span_data* const> records(pointers);
  CHECK(trace_otlp::encode_request(records) == trace_otlp::encode_request(reversed));
  CHECK(trace_otlp::encode_request_proto(records) == trace_otlp::encode_request_proto(reversed));
  CHECK(trace_otlp::encode_request(records) != golden);  // the order is the pointers'
  std::string out = "x";
  trace_otlp::encode_request(std::span<const trace::span_data* const>(), out);
  CHECK(out == R"(x{"resourceSpans":[]})");
}

TEST_CASE("NaN and infinities encode as proto3 JSON strings and decode back", "[trace_otlp]") {
  auto spans = sample_spans();
  spans.resize(1);
  spans[0].attrs = {{"n", std::numeric_limits<double>::quiet_NaN()},
                    {"i", -std::numeric_limits<double>::infinity()}};
  const auto text = trace_otlp::encode_request(spans);
  CHECK(text.find(R"({"key":"n","value":{"doubleValue":"NaN"}})") != std::string::npos);
  CHECK(text.find(R"({"key":"i","value":{"doubleValue":"-Infinity"}})") != std::string::npos);
  const auto back = trace_otlp::decode_spans(text, "mem");
  REQUIRE(back.has_value());
  CHECK(std::isnan(std::get<double>(back->at(0).attrs[0].value)));
  CHECK(std::get<double>(back->at(0).attrs[1].value) == -std::numeric_limits<double>::infinity());
}

TEST_CASE("Spans survive a round trip through OTLP JSON", "[trace_otlp]") {
  const auto spans = sample_spans();
  const auto decoded = trace_otlp::decode_spans(trace_otlp::encode_request(spans), "mem");
  REQUIRE(decoded.has_value());
  REQUIRE(decoded->size() == spans.size());
  // Grouping puts spans of one resource and scope together: server, child, cmd, root.
  auto expected = spans;
  std::swap(expected[1], expected[2]);
  // Invalid UTF-8 was replaced on the way out.
  expected[0].attrs[5].value = std::string("caf\xc3\xa9 \xef\xbf\xbd");
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("span " << i);
    test::require_same_span(decoded->at(i), expected[i]);
  }
  // Spans of one resourceSpans entry share one resource object.
  CHECK(decoded->at(0).resource == decoded->at(2).resource);
  CHECK(decoded->at(0).scope != decoded->at(2).scope);
}

TEST_CASE("The OTLP example trace.json decodes", "[trace_otlp]") {
  const auto path = std::string(VMTERM_SHARED_DIR) + "/fixtures/otlp/trace.json";
  const auto spans = trace_otlp::decode_spans(slurp(path), path);
  REQUIRE(spans.has_value());
  REQUIRE(spans->size() == 1);
  const auto& s = spans->front();
  CHECK(s.trace.hex() == "5b8efff798038103d269b633813fc60c");
  CHECK(s.span.hex() == "eee19b7ec3c1b174");
  CHECK(s.parent.hex() == "eee19b7ec3c1b173");
  CHECK(s.name == "I'm a server span");
  CHECK(s.kind == trace::span_kind::server);
  CHECK(s.start_unix_nano == 1544712660000000000);
  CHECK(s.end_unix_nano == 1544712661000000000);
  REQUIRE(s.attrs.size() == 1);
  CHECK(s.attrs[0].key == "my.span.attr");
  CHECK(s.attrs[0].value == trace::attribute_value(std::string("some value")));
  REQUIRE(s.resource);
  CHECK(*trace::find_attribute(s.resource->attrs, "service.name") ==
        trace::attribute_value(std::string("my.service")));
  REQUIRE(s.scope);
  CHECK(s.scope->name == "my.library");
  CHECK(s.scope->version == "1.0.0");
  CHECK(s.status.code == trace::status_code::unset);
}

TEST_CASE("Jaeger api_v3 GetTrace responses decode through their result envelope", "[trace_otlp]") {
  const auto path = std::string(VMTERM_SHARED_DIR) + "/fixtures/jaeger/v3_get_trace_response.json";
  const auto spans = trace_otlp::decode_spans(slurp(path), path);
  REQUIRE(spans.has_value());
  REQUIRE(spans->size() == 1);
  CHECK(spans->front().trace.hex() == "00000000000000000000000000000001");
  CHECK(spans->front().span.hex() == "0000000000000002");
  CHECK(spans->front().name == "foobar");
  CHECK(spans->front().kind == trace::span_kind::server);
  CHECK(spans->front().status.code == trace::status_code::error);
  CHECK_FALSE(spans->front().parent.valid());
}

TEST_CASE("Links and bytes values from Jaeger's TracesData fixture decode", "[trace_otlp]") {
  const auto path =
      std::string(VMTERM_SHARED_DIR) + "/fixtures/jaeger/otlp_tracesdata_links_attributes.json";
  const auto spans = trace_otlp::decode_spans(slurp(path), path);
  REQUIRE(spans.has_value());
  REQUIRE_FALSE(spans->empty());
  const auto& s = spans->front();
  REQUIRE(s.links.size() >= 2);
  CHECK(s.links[0].context.trace.hex() == "000000000000000000000000000000ff");
  const auto& la = s.links[0].attrs;
  CHECK(*trace::find_attribute(la, "sameplacelinkattribute2") ==
        trace::attribute_value(std::int64_t{123}));
  CHECK(*trace::find_attribute(la, "sameplacelinkattribute3") == trace::attribute_value(72.5));
  CHECK(*trace::find_attribute(la, "linkblob") == trace::attribute_value(std::string("AAAwOQ==")));
}

TEST_CASE("JSON lines decode one request per line and skip blank lines", "[trace_otlp]") {
  const auto spans = sample_spans();
  const auto line = trace_otlp::encode_request(spans);
  const auto decoded = trace_otlp::decode_spans(line + "\n\n" + line + "\r\n", "traces.jsonl");
  REQUIRE(decoded.has_value());
  CHECK(decoded->size() == 2 * spans.size());
}

TEST_CASE("Decoding accepts numbers for 64-bit fields, enum names and unknown fields",
          "[trace_otlp]") {
  const auto text = R"({"resourceSpans":[{"future":1,"scopeSpans":[{"spans":[{
      "traceId":"ABCDEF0123456789abcdef0123456789","spanId":"ABCDEF0123456789",
      "parentSpanId":"","kind":"SPAN_KIND_PRODUCER","startTimeUnixNano":1000,
      "endTimeUnixNano":"2000","flags":"1","status":{"code":"STATUS_CODE_OK"},"extra":{"a":[1]},
      "attributes":[{"key":"n","value":{"intValue":7}},{"key":"d","value":{"doubleValue":"2.5"}},
        {"key":"kv","value":{"kvlistValue":{"values":[{"key":"a","value":{"boolValue":true}}]}}},
        {"key":"mixed","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":"1"}]}}},
        {"key":"empty","value":{}}]}]}]}]})";
  const auto spans = trace_otlp::decode_spans(text, "mem");
  REQUIRE(spans.has_value());
  REQUIRE(spans->size() == 1);
  const auto& s = spans->front();
  CHECK(s.trace.hex() == "abcdef0123456789abcdef0123456789");
  CHECK_FALSE(s.parent.valid());
  CHECK(s.kind == trace::span_kind::producer);
  CHECK(s.start_unix_nano == 1000);
  CHECK(s.end_unix_nano == 2000);
  CHECK(s.flags == 1);
  CHECK(s.status.code == trace::status_code::ok);
  CHECK(s.attrs[0].value == trace::attribute_value(std::int64_t{7}));
  CHECK(s.attrs[1].value == trace::attribute_value(2.5));
  CHECK(s.attrs[2].value == trace::attribute_value(std::string(
                                R"({"values":[{"key":"a","value":{"boolValue":true}}]})")));
  CHECK(s.attrs[3].value == trace::attribute_value(std::vector<std::string>{"a", "1"}));
  CHECK(s.attrs[4].value == trace::attribute_value(std::string()));
}

TEST_CASE("Empty input and an empty request decode to no spans", "[trace_otlp]") {
  CHECK(trace_otlp::decode_spans("", "mem")->empty());
  CHECK(trace_otlp::decode_spans(" \n", "mem")->empty());
  CHECK(trace_otlp::decode_spans("{}", "mem")->empty());
}

TEST_CASE("Bad OTLP JSON is refused with the input, the field and the reason", "[trace_otlp]") {
  CHECK(decode_error(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz"}]}]}]})") ==
        "decode OTLP JSON 't.json': resourceSpans[0].scopeSpans[0].spans[0].traceId: 'xyz' is "
        "not a hex trace id (32 digits)");
  CHECK(decode_error(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{},{"spanId":"12"}]}]}]})") ==
        "decode OTLP JSON 't.json': resourceSpans[0].scopeSpans[0].spans[1].spanId: '12' is not "
        "a hex span id (16 digits)");
  CHECK(decode_error(R"({"resourceSpans":{}})") ==
        "decode OTLP JSON 't.json': resourceSpans: expected an array, got object");
  CHECK(decode_error("[1]") ==
        "decode OTLP JSON 't.json': document: expected an object, got array");
  CHECK(decode_error(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":9}]}]}]})") ==
        "decode OTLP JSON 't.json': resourceSpans[0].scopeSpans[0].spans[0].kind: 9 is not a "
        "span kind (0 to 5)");
  CHECK(decode_error(
            R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"12x"}]}]}]})") ==
        "decode OTLP JSON 't.json': resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: "
        "'12x' is not a whole number");
  CHECK(
      decode_error(
          R"({"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":{"intValue":true}}]}}]})") ==
      "decode OTLP JSON 't.json': resourceSpans[0].resource.attributes[0].value.intValue: "
      "expected an integer or a decimal string, got boolean");
  CHECK(decode_error("{\"resourceSpans\":[") ==
        "decode OTLP JSON 't.json': line 1, column 19: syntax error while parsing value - "
        "unexpected end of input; expected '[', '{', or a literal");
  CHECK(decode_error("{}\n{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"kind\":-1}]}]}]}\n",
                     "traces.jsonl") ==
        "decode OTLP JSON 'traces.jsonl': line 2: resourceSpans[0].scopeSpans[0].spans[0].kind: "
        "-1 is not a span kind (0 to 5)");
  CHECK(decode_error("{}\n{oops}\n", "traces.jsonl") ==
        "decode OTLP JSON 'traces.jsonl': line 2: line 1, column 2: syntax error while parsing "
        "object key - invalid literal; last read: '{o'; expected string literal");
}

TEST_CASE("Export responses report partial success", "[trace_otlp]") {
  CHECK(trace_otlp::decode_export_response("")->rejected_spans == 0);
  CHECK(trace_otlp::decode_export_response("{}")->rejected_spans == 0);
  const auto r = trace_otlp::decode_export_response(
      R"({"partialSuccess":{"rejectedSpans":"3","errorMessage":"too old"}})");
  REQUIRE(r.has_value());
  CHECK(r->rejected_spans == 3);
  CHECK(r->error_message == "too old");
  CHECK(trace_otlp::decode_export_response("nope").error().message ==
        "decode OTLP export response: line 1, column 2: syntax error while parsing value - "
        "invalid literal; last read: 'no'");
}
