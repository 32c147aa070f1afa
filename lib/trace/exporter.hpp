#pragma once
/// The exporter interface: where finished spans go (OTLP/HTTP, a JSON-lines file, the console,
/// memory for tests). Called by processors only, from one thread at a time.

#include <chrono>
#include <span>

#include "trace/span_data.hpp"

namespace vmterm::trace {

enum class export_result { success, failure };

class exporter {
 public:
  virtual ~exporter() = default;
  /// Sends a batch. Never throws; a failure is counted and reported by the exporter itself.
  virtual export_result export_spans(std::span<const span_data> spans) noexcept = 0;
  /// Pushes out anything buffered; true when done within the timeout.
  virtual bool force_flush(std::chrono::milliseconds /*timeout*/) noexcept { return true; }
  /// Flushes and releases resources; later export_spans calls fail. Idempotent.
  virtual void shutdown(std::chrono::milliseconds /*timeout*/) noexcept {}
};

}  // namespace vmterm::trace
