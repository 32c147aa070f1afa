// Differential: Jaeger v1 JSON through the streaming decoder (v1_json_stream.cpp, on lib/core's
// json_cursor) and through the DOM decoder (v1_json.cpp, on nlohmann_json). Whenever the
// streaming decoder accepts a document, the DOM decoder must accept it too and give the same
// spans (compared through their OTLP JSON encoding, as v1_json_stream_test does), the same
// trace count and the same envelope errors; a document the DOM decoder refuses must be
// declined. A difference aborts, with both outcomes on stderr.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "jaeger/v1_json.hpp"
#include "jaeger/v1_json_stream.hpp"
#include "trace_otlp/otlp_json.hpp"

namespace {

std::string outcome(const vmterm::jaeger::v1_document& d) {
  std::string out = std::to_string(d.trace_count) + " traces\n";
  for (const auto& e : d.errors) out += "envelope error: " + e + "\n";
  return out + vmterm::trace_otlp::encode_request(d.spans);
}

[[noreturn]] void differ(const std::string& streamed, const std::string& dom) {
  std::fprintf(stderr, "jaeger_v1_json_diff: the decoders differ\nstreamed:\n%s\nDOM:\n%s\n",
               streamed.c_str(), dom.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto streamed = vmterm::jaeger::detail::stream_v1_json(text);
  if (!streamed) return 0;  // declined: decode_v1_json takes the DOM decoder's answer
  const auto dom = vmterm::jaeger::detail::decode_v1_json_dom(text, "fuzz");
  if (!dom) differ(outcome(*streamed), "error: " + dom.error().message);
  const auto a = outcome(*streamed);
  const auto b = outcome(*dom);
  if (a != b) differ(a, b);
  return 0;
}
