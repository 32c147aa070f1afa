// The streaming Jaeger v1 decoder against the DOM decoder it stands in front of: decode_v1_json
// must give the same spans (compared through their OTLP encoding), trace count and envelope
// errors, or the same error message, byte for byte, for the shared fixtures, hand-made edge
// cases and thousands of mutated documents; and the typical documents must really stream.
#include <catch2/catch.hpp>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "fixture_file.hpp"
#include "jaeger/v1_json.hpp"
#include "jaeger/v1_json_stream.hpp"
#include "trace_otlp/otlp_json.hpp"

namespace vmterm::jaeger {
namespace {

std::string outcome(const expected<v1_document>& r) {
  if (!r) return "error: " + r.error().message;
  std::string out = std::to_string(r->trace_count) + " traces\n";
  for (const auto& e : r->errors) out += "envelope error: " + e + "\n";
  return out + trace_otlp::encode_request(r->spans);
}

std::string both_agree(std::string_view text) {
  const auto fast = outcome(decode_v1_json(text, "t.json"));
  const auto dom = outcome(detail::decode_v1_json_dom(text, "t.json"));
  CHECK(fast == dom);
  return fast;
}

bool streams(std::string_view text) { return detail::stream_v1_json(text).has_value(); }

const std::string span_fields =
    R"("traceID":"4bf92f3577b34da6","spanID":"00f067aa0ba902b7","operationName":"GET /",)"
    R"("startTime":1700000000000000,"duration":1500,"processID":"p1")";

std::string doc_with(const std::string& extra) {
  return R"({"data":[{"traceID":"4bf92f3577b34da6","spans":[{)" + span_fields + extra +
         R"(}],"processes":{"p1":{"serviceName":"svc","tags":[{"key":"host.name","type":"string","value":"h"}]}}}],"total":0,"limit":0,"offset":0,"errors":null})";
}

}  // namespace

TEST_CASE("The v1 fixtures stream, and decode as the DOM decoder decodes them", "[jaeger]") {
  for (const char* name : {"v1_api_traces_response.json", "v1_ui_trace_all_tag_types.json"}) {
    INFO(name);
    const auto text = read_fixture(name);
    CHECK(streams(text));
    CHECK(both_agree(text).rfind("error", 0) != 0);
  }
}

TEST_CASE("The differential fuzz target's seeds stream, and agree with the DOM decoder",
          "[jaeger]") {
  // tests/fuzz/jaeger_v1_json_diff compares the decoders only on documents that stream: its
  // seeds must, or the fuzzer starts from nothing it can compare.
  const std::string dir = VMTERM_TEST_SOURCE_DIR "/tests/fuzz/corpus/jaeger_v1_json_diff/";
  for (const char* name : {"minimal.json", "tags_logs_refs.json", "bare_array.json"}) {
    INFO(name);
    std::ifstream in(dir + name, std::ios::binary);
    REQUIRE(in);
    std::ostringstream text;
    text << in.rdbuf();
    CHECK(streams(text.str()));
    CHECK(both_agree(text.str()).rfind("error", 0) != 0);
  }
}

TEST_CASE("Streamed v1 JSON: tag types, values as strings, logs, references, warnings",
          "[jaeger]") {
  const std::vector<std::string> extras = {
      R"(,"tags":[{"key":"a","type":"int64","value":"12"},{"key":"b","type":"bool","value":"True"},{"key":"c","type":"float64","value":1e3},{"key":"d","type":"float64","value":"x"},{"key":"e","value":7},{"key":"f","value":2.5},{"key":"a","type":"string","value":"again"},{"key":"span.kind","type":"string","value":"server"},{"key":"otel.status_code","type":"string","value":"ERROR"},{"key":"otel.status_description","type":"string","value":"bad"}])",
      R"(,"logs":[{"timestamp":1700000000000100,"fields":[{"key":"event","type":"string","value":"retry"},{"key":"n","type":"int64","value":2}]},{"timestamp":-5,"fields":[]}])",
      R"(,"references":[{"refType":"FOLLOWS_FROM","traceID":"1","spanID":"2"},{"refType":"CHILD_OF","traceID":"4bf92f3577b34da6","spanID":"3"},{"refType":"CHILD_OF","traceID":"ff","spanID":"4"}])",
      R"(,"parentSpanID":"a1","flags":257,"warnings":["clock skew","late"])",
      R"(,"process":{"serviceName":"embedded","tags":[{"key":"service.name","type":"string","value":"no"}]})",
      R"(,"unknown":[1,"two",[true,null]],"other":null)",
  };
  for (const auto& extra : extras) {
    INFO(extra);
    const auto text = doc_with(extra);
    CHECK(streams(text));
    both_agree(text);
  }
}

TEST_CASE("Shapes the streaming v1 decoder leaves to the DOM decoder decode the same", "[jaeger]") {
  const std::vector<std::string> texts = {
      doc_with(R"(,"tags":[{"key":"a","type":"int64","value":1.5}])"),
      doc_with(R"(,"tags":[{"key":"a","type":"string","value":12}])"),
      doc_with(R"(,"tags":[{"key":"a","value":null}])"),
      doc_with(R"(,"tags":[{"key":"a","value":-0}])"),
      doc_with(R"(,"tags":[{"key":"a","value":18446744073709551615}])"),
      doc_with(R"(,"flags":-1)"),
      doc_with(R"(,"operationName":"twice")"),
      doc_with(R"(,"nested":{"spanID":"1","operationName":"inner"})"),
      doc_with(R"(,"startTime":"1700000000000000")"),
      R"({"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]})",
      R"({"data":[{"traceID":"1","spans":[],"processes":{}}],"errors":[{"code":404,"msg":"x","traceID":"2"}]})",
      R"({"traceID":"1","spans":[{"traceID":"1","spanID":"xyz","operationName":"a","startTime":1}]})",
      R"({"traceID":"1","spans":[{"traceID":"1","spanID":"2","operationName":"a"}]})",
      R"({"traceID":"1","spans":[{"traceID":"1","spanID":"2","startTime":1}]})",
      R"({"resourceSpans":[]})",
      R"([])",
      R"({})",
      R"({"data":[]} x)",
      "",
  };
  for (const auto& text : texts) {
    INFO(text);
    both_agree(text);
  }
  CHECK(streams(R"([])"));
  CHECK(streams(R"({"data":[],"total":0,"limit":0,"offset":0,"errors":null})"));
}

TEST_CASE("Mutated v1 documents decode the same through both decoders", "[jaeger]") {
  const std::vector<std::string> seeds = {
      read_fixture("v1_ui_trace_all_tag_types.json"), read_fixture("v1_api_traces_response.json"),
      doc_with(R"(,"references":[{"refType":"CHILD_OF","traceID":"1","spanID":"2"}])")};
  std::mt19937 rng(15);
  const std::string alphabet = "{}[]\",:0123456789-.eE tfnulr\\abcdx";
  int streamed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text = seeds[static_cast<std::size_t>(i) % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const std::size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text[at] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          text.erase(at, 1 + rng() % 4);
          break;
        default:
          text.insert(at, 1, alphabet[rng() % alphabet.size()]);
      }
    }
    INFO(text);
    if (streams(text)) ++streamed;
    both_agree(text);
  }
  CHECK(streamed > 100);  // the comparison covered streamed documents, not only declined ones
}

}  // namespace vmterm::jaeger
