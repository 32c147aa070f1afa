#include "trace/deferred_processor.hpp"

#include <utility>

namespace vmterm::trace {

deferred_processor::deferred_processor(std::unique_ptr<exporter> exp, std::size_t max_spans)
    : max_spans_(max_spans), exporter_(std::move(exp)) {}

deferred_processor::~deferred_processor() { shutdown(std::chrono::seconds(30)); }

void deferred_processor::on_end(std::unique_ptr<span_data> span) noexcept {
  if (!span || (span->flags & flag_sampled) == 0) return;
  std::lock_guard lock(mutex_);
  if (shut_down_ || kept_.size() >= max_spans_) {
    ++dropped_;
    return;
  }
  try {
    kept_.push_back(std::move(span));
  } catch (...) {
    ++dropped_;  // out of memory: the span is lost, the caller goes on
  }
}

void deferred_processor::export_kept() noexcept {
  std::vector<std::unique_ptr<span_data>> taken;
  {
    std::lock_guard lock(mutex_);
    taken.swap(kept_);
  }
  if (taken.empty() || !exporter_ || exporter_down_) return;
  try {
    std::vector<const span_data*> pointers;
    pointers.reserve(taken.size());
    for (const auto& s : taken) pointers.push_back(s.get());
    if (!exporter_->export_records(pointers)) {
      std::vector<span_data> batch;
      batch.reserve(taken.size());
      for (auto& s : taken) batch.push_back(std::move(*s));
      (void)exporter_->export_spans(batch);
    }
  } catch (...) {
    std::lock_guard lock(mutex_);
    dropped_ += taken.size();  // out of memory building the batch
  }
}

bool deferred_processor::force_flush(std::chrono::milliseconds timeout) noexcept {
  std::lock_guard lock(export_mutex_);
  export_kept();
  return !exporter_ || exporter_down_ || exporter_->force_flush(timeout);
}

void deferred_processor::shutdown(std::chrono::milliseconds timeout) noexcept {
  {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
  }
  std::lock_guard lock(export_mutex_);
  if (exporter_down_) return;
  export_kept();
  if (exporter_) exporter_->shutdown(timeout);
  exporter_down_ = true;
}

std::uint64_t deferred_processor::shutdown_at_exit(std::chrono::milliseconds bound) noexcept {
  const auto lost = [this] {
    return dropped_spans() + (exporter_ ? exporter_->failed_spans() : 0);
  };
  std::uint64_t before = 0;
  {
    std::lock_guard lock(export_mutex_);
    if (exporter_down_) return 0;
    before = lost();
    if (exporter_) exporter_->exit_by(std::chrono::steady_clock::now() + bound);
  }
  shutdown(bound);
  return lost() - before;
}

std::uint64_t deferred_processor::dropped_spans() const noexcept {
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace vmterm::trace
