// vmterm-trace's value parsers: durations (--min-duration, --since, --timeout), RFC 3339 times
// (--start, --end) and sizes (--max-input). Never crash; a size that parses prints back.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/parse.hpp"
#include "jaeger/time_parse.hpp"
#include "jaeger/trace_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)vmterm::parse::duration(text);
  (void)vmterm::parse::duration(text, std::chrono::seconds(1));
  (void)vmterm::jaeger::parse_rfc3339(text);
  if (auto bytes = vmterm::jaeger::parse_size(text)) {
    if (vmterm::jaeger::format_size(*bytes).empty()) std::abort();
  }
  return 0;
}
