// Jaeger v1 JSON (a saved /api/traces answer or a trace downloaded from Jaeger's UI), then the
// span trees vmterm-trace builds from it: never crashes, never hangs, whatever the references.
#include <cstdint>
#include <string_view>

#include "jaeger/span_tree.hpp"
#include "jaeger/v1_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = vmterm::jaeger::decode_v1_json(text, "fuzz");
  if (doc) (void)vmterm::jaeger::build_trees(std::move(doc->spans));
  return 0;
}
