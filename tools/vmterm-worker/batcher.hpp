#pragma once
/// Groups requests made while one batch is in flight into the next batch (one Redis round trip
/// for many acks or results), and retries a failed batch after a pause. Used from one executor.
/// A batch is written under the trace context its first item was added with (the run span of
/// its first task), so the Redis span of one task's result is that task's child.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "core/error.hpp"
#include "trace/context.hpp"

namespace vmterm::worker {

template <class Item>
class batcher : public std::enable_shared_from_this<batcher<Item>> {
 public:
  using flush_fn =
      std::function<void(const std::vector<Item>&, std::function<void(expected<void>)>)>;
  using on_error_fn = std::function<void(const error&)>;

  batcher(boost::asio::any_io_executor ex, flush_fn flush, on_error_fn on_error,
          std::size_t max_batch = 1000)
      : ex_(ex),
        retry_(ex),
        flush_(std::move(flush)),
        on_error_(std::move(on_error)),
        max_batch_(max_batch) {}

  /// Queues `item`; `done` runs once it has been written (never on failure: retried).
  void add(Item item, std::function<void()> done, trace::context ctx = {}) {
    items_.push_back(std::move(item));
    dones_.push_back(std::move(done));
    ctxs_.push_back(std::move(ctx));
    if (!busy_) {
      // Written now, not on a later turn: a lone task's result goes out ahead of the blocking
      // wait its worker issues next (that wait's write would otherwise go first, and Redis
      // would wake for it alone). What is added while this batch is in flight forms the next.
      busy_ = true;
      flush();
    }
  }
  [[nodiscard]] bool idle() const noexcept { return !busy_ && items_.empty(); }
  [[nodiscard]] std::size_t pending() const noexcept { return items_.size() + sending_.size(); }

 private:
  void flush() {
    if (items_.empty() && sending_.empty()) {
      busy_ = false;
      return;
    }
    if (sending_.empty()) {
      const std::size_t n = std::min(items_.size(), max_batch_);
      sending_.assign(std::make_move_iterator(items_.begin()),
                      std::make_move_iterator(items_.begin() + static_cast<std::ptrdiff_t>(n)));
      sending_done_.assign(
          std::make_move_iterator(dones_.begin()),
          std::make_move_iterator(dones_.begin() + static_cast<std::ptrdiff_t>(n)));
      sending_ctx_ = ctxs_.front();
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(n));
      dones_.erase(dones_.begin(), dones_.begin() + static_cast<std::ptrdiff_t>(n));
      ctxs_.erase(ctxs_.begin(), ctxs_.begin() + static_cast<std::ptrdiff_t>(n));
    }
    trace::context_scope scope(sending_ctx_);
    flush_(sending_, [self = this->shared_from_this()](expected<void> r) {
      if (!r) {
        self->on_error_(r.error());
        self->retry_.expires_after(std::chrono::milliseconds(250));
        self->retry_.async_wait([self](boost::system::error_code) { self->flush(); });
        return;
      }
      auto dones = std::move(self->sending_done_);
      self->sending_.clear();
      self->sending_done_.clear();
      // Idle before the callbacks run, so they see idle() and may add (which flushes).
      const bool more = !self->items_.empty();
      if (!more) self->busy_ = false;
      for (auto& d : dones) {
        if (d) d();
      }
      if (more) self->flush();
    });
  }

  boost::asio::any_io_executor ex_;
  boost::asio::steady_timer retry_;
  flush_fn flush_;
  on_error_fn on_error_;
  std::size_t max_batch_;
  std::vector<Item> items_, sending_;
  std::vector<std::function<void()>> dones_, sending_done_;
  std::vector<trace::context> ctxs_;
  trace::context sending_ctx_;
  bool busy_ = false;
};

}  // namespace vmterm::worker
