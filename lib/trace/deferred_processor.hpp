#pragma once
/// The span processor of a short-lived tool (a cron probe that lives milliseconds): ended spans
/// are kept in memory and exported by the thread that flushes or shuts tracing down, usually
/// the main thread at exit. No worker thread is started: starting one (its stack, a clone, the
/// wake-ups) is a measurable part of such a process (tests/bench/health), and a batch that is
/// exported once at exit gains nothing from it. A tool that runs long, or ends many spans, uses
/// batch_processor.
///
/// At most `max_spans` spans are kept; later ones are dropped and counted (dropped_spans). The
/// exporter is called from one thread at a time, under the processor's export lock.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "trace/processor.hpp"

namespace vmterm::trace {

class deferred_processor final : public span_processor {
 public:
  explicit deferred_processor(std::unique_ptr<exporter> exp, std::size_t max_spans = 2048);
  /// Shuts down: what is kept is exported (waiting up to 30 s, as batch_processor).
  ~deferred_processor() override;
  deferred_processor(const deferred_processor&) = delete;
  deferred_processor& operator=(const deferred_processor&) = delete;

  /// Keeps the span (sampled ones only). Any thread; never exports.
  void on_end(std::unique_ptr<span_data> span) noexcept override;
  /// Exports what is kept on the calling thread, then flushes the exporter.
  bool force_flush(std::chrono::milliseconds timeout) noexcept override;
  /// Exports what is kept and shuts the exporter down; later spans are dropped. Idempotent.
  void shutdown(std::chrono::milliseconds timeout) noexcept override;
  /// shutdown() for a process that is exiting: the exporter is told so first
  /// (exporter::exit_by), so the export is one attempt ending by `bound`. Returns the spans
  /// lost: given up by the exporter or dropped.
  std::uint64_t shutdown_at_exit(std::chrono::milliseconds bound) noexcept;

  /// Spans dropped because `max_spans` were kept or the processor had shut down. Any thread.
  [[nodiscard]] std::uint64_t dropped_spans() const noexcept;

 private:
  /// Exports what is kept; called with export_mutex_ held.
  void export_kept() noexcept;

  const std::size_t max_spans_;
  mutable std::mutex mutex_;  ///< guards kept_, dropped_, shut_down_
  std::vector<std::unique_ptr<span_data>> kept_;
  std::uint64_t dropped_ = 0;
  bool shut_down_ = false;

  std::mutex export_mutex_;  ///< one export (and one exporter call) at a time
  std::unique_ptr<exporter> exporter_;
  bool exporter_down_ = false;  ///< under export_mutex_
};

}  // namespace vmterm::trace
