#pragma once
/// Span processors: what happens to a span when it ends. The simple processor exports at once
/// (tests, debugging); batch_processor (batch_processor.hpp) is what tools use.

#include <chrono>
#include <memory>
#include <mutex>
#include <span>

#include "trace/exporter.hpp"
#include "trace/span_data.hpp"

namespace vmterm::trace {

/// Receives every recorded span when it ends. Implementations are thread-safe (on_end is
/// called from whichever thread ends a span) and never throw.
class span_processor {
 public:
  virtual ~span_processor() = default;
  /// Takes ownership of a finished span. Spans without the sampled flag (record_only) must
  /// not reach an exporter.
  virtual void on_end(std::unique_ptr<span_data> span) noexcept = 0;
  /// Exports everything ended so far; true when done within `timeout`.
  virtual bool force_flush(std::chrono::milliseconds timeout) noexcept = 0;
  /// Flushes, then shuts the exporter down; later spans are dropped. Idempotent.
  virtual void shutdown(std::chrono::milliseconds timeout) noexcept = 0;
  /// Moves up to out.size() records this processor has finished with into `out` and returns
  /// how many, so the tracer can reuse them (and their string and vector capacity) instead of
  /// allocating. A handed-out record's attrs may hold stale elements: only the tracer's span
  /// handle, which overwrites them in place and trims the rest at end, may use it. Any thread;
  /// the default recycles nothing.
  virtual std::size_t take_recycled(std::span<std::unique_ptr<span_data>> out) noexcept {
    (void)out;
    return 0;
  }
};

/// Exports each span synchronously on the ending thread, one export at a time (a mutex
/// serialises calls into the exporter). For tests and the console exporter, not for servers.
class simple_processor final : public span_processor {
 public:
  explicit simple_processor(std::unique_ptr<exporter> exp) noexcept;
  ~simple_processor() override;
  void on_end(std::unique_ptr<span_data> span) noexcept override;
  bool force_flush(std::chrono::milliseconds timeout) noexcept override;
  void shutdown(std::chrono::milliseconds timeout) noexcept override;

 private:
  std::mutex mutex_;
  std::unique_ptr<exporter> exporter_;
  bool shut_down_ = false;
};

}  // namespace vmterm::trace
