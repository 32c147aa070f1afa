#pragma once
/// The batch span processor (OpenTelemetry SDK spec, "Batching processor"): ended spans go into
/// a bounded queue; one background thread exports them in batches every schedule delay, when a
/// full batch is waiting, or at once on force_flush/shutdown. The ending thread never waits
/// for an export: it stages the span in its own shard (a per-thread buffer it publishes to
/// with one compare-and-swap, no lock) and hands up to 32 staged spans over as one chunk,
/// pushed onto a lock-free list with one compare-and-swap; the worker takes the whole list at
/// once. So threads ending spans at once share no lock, and a hand-over writes no line the
/// worker wrote (a chunk is written by its thread and only read by the worker). The worker
/// drains every shard (the partial chunks) on the schedule, and on flush and shutdown, so
/// nothing ended before a flush is left behind and a staged span waits at most one schedule
/// delay however often full batches wake the worker. When the queue is full the span is
/// dropped and counted: a thread stages a chunk only when, at its first span, the queue has
/// room for a whole chunk more (else it hands each span over at once), and a hand-over takes
/// what fits and drops the rest, so a full queue drops as many as without staging. It wakes
/// the worker only when a full batch is waiting. Spans of one thread are exported in the
/// order they ended; a batch mixing threads is put in order of end time (its chunks' runs
/// merged).
///
/// Records are recycled: after an export the worker hands each chunk (its records, with their
/// string and vector capacity) back to the shard of the thread that filled it, up to
/// max_queue_size records each, and the tracer draws from its own thread's shard, newest
/// first, so in steady state a span neither allocates nor frees, the worker frees nothing the
/// caller allocated, and records stay with the thread (and in its cache). Exporters that
/// implement exporter::export_records read the records where they are; the worker writes none
/// of them, and reads none: what it needs of a span (end time, events or links to free) the
/// chunk carries.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <thread>

#include "core/config.hpp"
#include "trace/env.hpp"
#include "trace/processor.hpp"

namespace vmterm::trace {

struct batch_options {
  std::chrono::milliseconds schedule_delay{5000};
  /// The OTEL_BSP_EXPORT_TIMEOUT budget: how long shutdown waits for the worker by default and
  /// what is passed to the exporter's force_flush/shutdown. 0 = no limit.
  std::chrono::milliseconds export_timeout{30000};
  std::size_t max_queue_size = 2048;
  std::size_t max_export_batch_size = 512;  ///< clamped to max_queue_size

  /// OTEL_BSP_SCHEDULE_DELAY, OTEL_BSP_EXPORT_TIMEOUT, OTEL_BSP_MAX_QUEUE_SIZE and
  /// OTEL_BSP_MAX_EXPORT_BATCH_SIZE; bad values warn and keep the default.
  [[nodiscard]] static batch_options from_env(const config::env_lookup& env, const warn_fn& warn);
};

class batch_processor final : public span_processor {
 public:
  /// Starts the worker thread; `exp` is used only from that thread.
  explicit batch_processor(std::unique_ptr<exporter> exp, batch_options options = {});
  /// Shuts down (waiting up to the export timeout).
  ~batch_processor() override;
  batch_processor(const batch_processor&) = delete;
  batch_processor& operator=(const batch_processor&) = delete;

  void on_end(std::unique_ptr<span_data> span) noexcept override;
  /// Wakes the worker, which exports every queued span and flushes the exporter; returns true
  /// when that finished within `timeout`.
  bool force_flush(std::chrono::milliseconds timeout) noexcept override;
  /// Exports what is queued, shuts the exporter down and stops the worker. Waits at most
  /// `timeout` (a worker stuck in an exporter is then left to finish on its own). Idempotent.
  void shutdown(std::chrono::milliseconds timeout) noexcept override;
  /// shutdown() for a process that is exiting: the exporter is told so (exporter::exit_by), so
  /// what is queued gets one export attempt, and the whole takes at most `bound`. Returns the
  /// spans lost meanwhile: given up by the exporter, dropped, or still queued at the bound.
  /// When the worker is idle the calling thread exports and shuts the exporter down itself and
  /// the worker is left to end on its own: a short-lived process does not wait for the worker
  /// thread to be scheduled.
  std::uint64_t shutdown_at_exit(std::chrono::milliseconds bound) noexcept;
  /// Exported records, for reuse by the tracer: the calling thread's own first (at most
  /// max_queue_size are kept per thread). Any thread.
  std::size_t take_recycled(std::span<std::unique_ptr<span_data>> out) noexcept override;

  /// Spans dropped because the queue was full or the processor shut down. Any thread.
  [[nodiscard]] std::uint64_t dropped_spans() const noexcept;
  [[nodiscard]] const batch_options& options() const noexcept { return options_; }

 private:
  struct state;
  batch_options options_;
  std::shared_ptr<state> state_;
  std::mutex join_mutex_;
  std::thread worker_;
};

}  // namespace vmterm::trace
