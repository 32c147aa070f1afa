// OTLP JSON, differentially: the streaming decoder (decode_spans) and the tree decoder
// (decode_spans_dom) must agree on every input: both refuse it, or both give spans that encode
// to the same OTLP JSON. Either one crashing, or the two disagreeing, aborts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "trace_otlp/detail/otlp_json_stream.hpp"
#include "trace_otlp/otlp_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto streamed = vmterm::trace_otlp::decode_spans(text, "fuzz");
  const auto tree = vmterm::trace_otlp::detail::decode_spans_dom(text, "fuzz");
  if (streamed.has_value() != tree.has_value()) {
    std::fprintf(stderr, "streaming %s, tree %s\n",
                 streamed ? "accepts" : streamed.error().message.c_str(),
                 tree ? "accepts" : tree.error().message.c_str());
    std::abort();
  }
  if (streamed &&
      vmterm::trace_otlp::encode_request(*streamed) != vmterm::trace_otlp::encode_request(*tree)) {
    std::fprintf(stderr, "the decoders give different spans\n");
    std::abort();
  }
  return 0;
}
