#pragma once
/// Prints spans for people, one block per span, to a stream (stderr by default: stdout is for
/// data). Chosen by OTEL_TRACES_EXPORTER=console. Called from one thread at a time.

#include <iosfwd>
#include <string>

#include "trace/exporter.hpp"

namespace vmterm::trace {

class console_exporter final : public exporter {
 public:
  /// Writes to `out`, which must outlive the exporter (std::cerr when omitted).
  explicit console_exporter(std::ostream* out = nullptr) noexcept;
  export_result export_spans(std::span<const span_data> spans) noexcept override;
  bool force_flush(std::chrono::milliseconds timeout) noexcept override;
  void shutdown(std::chrono::milliseconds timeout) noexcept override;

 private:
  std::ostream* out_;
  bool shut_down_ = false;
};

/// The text console_exporter prints for one span, e.g.
/// "span GET /health-check/ server trace=… span=… parent=… 1.250ms status=error: boom"
/// followed by indented attribute, event and link lines. Pure.
[[nodiscard]] std::string format_span(const span_data& s);

}  // namespace vmterm::trace
