// W3C Trace Context and Baggage as a server receives them: traceparent, tracestate and baggage
// headers. Never crashes; a traceparent that parses prints back to a header that parses to the
// same context (lowercase hex, version 00).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "trace/propagation.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto ctx = vmterm::trace::parse_traceparent(text)) {
    const auto printed = vmterm::trace::format_traceparent(*ctx);
    const auto again = vmterm::trace::parse_traceparent(printed);
    if (!again || again->trace != ctx->trace || again->span != ctx->span ||
        again->flags != ctx->flags) {
      std::abort();
    }
  }
  (void)vmterm::trace::valid_tracestate(text);
  (void)vmterm::trace::valid_baggage(text);
  // The same bytes split in three, as the three headers of one request.
  const auto a = text.substr(0, size / 3);
  const auto b = text.substr(size / 3, size / 3);
  const auto c = text.substr(2 * (size / 3));
  (void)vmterm::trace::extract_context(a, b, c);
  return 0;
}
