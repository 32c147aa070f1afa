#pragma once
/// The exporter interface: where finished spans go (OTLP/HTTP, a JSON-lines file, the console,
/// memory for tests). Called by processors only, from one thread at a time.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

#include "trace/span_data.hpp"

namespace vmterm::trace {

enum class export_result { success, failure };

class exporter {
 public:
  virtual ~exporter() = default;
  /// Sends a batch. Never throws; a failure is counted and reported by the exporter itself.
  virtual export_result export_spans(std::span<const span_data> spans) noexcept = 0;
  /// The same batch as pointers to records that stay where the span-ending threads wrote them.
  /// An exporter that reads spans in place overrides this: the batch processor then hands it
  /// the records without moving them, so the export thread writes nothing of theirs and they
  /// stay in the cache of the thread that reuses them. The default, nullopt, means "not
  /// supported": the processor moves the records into one contiguous batch for export_spans
  /// (and back). Same contract as export_spans otherwise.
  virtual std::optional<export_result> export_records(
      std::span<const span_data* const> spans) noexcept {
    (void)spans;
    return std::nullopt;
  }
  /// Pushes out anything buffered; true when done within the timeout.
  virtual bool force_flush(std::chrono::milliseconds /*timeout*/) noexcept { return true; }
  /// Flushes and releases resources; later export_spans calls fail. Idempotent.
  virtual void shutdown(std::chrono::milliseconds /*timeout*/) noexcept {}
  /// The process is exiting: from now on each export makes one attempt, without retries, and
  /// gives up at `deadline`; a wait between retries ends at once. Failures are counted
  /// (failed_spans) but not logged: the caller logs one line. Any thread, also during an
  /// export.
  virtual void exit_by(std::chrono::steady_clock::time_point /*deadline*/) noexcept {}
  /// Spans given up on so far (failed exports). Any thread.
  [[nodiscard]] virtual std::uint64_t failed_spans() const noexcept { return 0; }
};

}  // namespace vmterm::trace
