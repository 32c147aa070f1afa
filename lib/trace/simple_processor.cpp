#include "trace/processor.hpp"

namespace vmterm::trace {

simple_processor::simple_processor(std::unique_ptr<exporter> exp) noexcept
    : exporter_(std::move(exp)) {}

simple_processor::~simple_processor() { shutdown(std::chrono::seconds(5)); }

void simple_processor::on_end(std::unique_ptr<span_data> span) noexcept {
  if (!span || (span->flags & flag_sampled) == 0) return;
  std::lock_guard lock(mutex_);
  if (shut_down_ || !exporter_) return;
  (void)exporter_->export_spans(std::span<const span_data>(span.get(), 1));
}

bool simple_processor::force_flush(std::chrono::milliseconds timeout) noexcept {
  std::lock_guard lock(mutex_);
  return shut_down_ || !exporter_ || exporter_->force_flush(timeout);
}

void simple_processor::shutdown(std::chrono::milliseconds timeout) noexcept {
  std::lock_guard lock(mutex_);
  if (shut_down_) return;
  shut_down_ = true;
  if (exporter_) exporter_->shutdown(timeout);
}

}  // namespace vmterm::trace
