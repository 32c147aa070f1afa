#include "trace/batch_processor.hpp"

#include <condition_variable>
#include <vector>

namespace vmterm::trace {

struct batch_processor::state {
  explicit state(std::unique_ptr<exporter> e, const batch_options& o)
      : exp(std::move(e)), options(o), ring(o.max_queue_size) {}

  std::unique_ptr<exporter> exp;
  batch_options options;
  std::mutex mutex;
  std::condition_variable wake;  ///< the worker waits here
  std::condition_variable done;  ///< flush and shutdown callers wait here
  std::vector<std::unique_ptr<span_data>> ring;
  std::size_t head = 0;
  std::size_t count = 0;
  std::uint64_t flush_requested = 0;
  std::uint64_t flush_completed = 0;
  bool wake_pending = false;
  bool stop = false;
  bool exited = false;
  /// The worker is waiting for work (set and cleared under the mutex around its wait).
  bool idle = false;
  /// shutdown_at_exit found the worker idle and exports on the exiting thread instead: the
  /// worker, when it next wakes, leaves without touching the exporter.
  bool taken_over = false;
  std::atomic<std::uint64_t> dropped{0};

  /// Exported records waiting for reuse (take_recycled). Its own mutex: callers take records
  /// in bundles, the worker returns a batch at a time, neither holds the queue mutex.
  std::mutex pool_mutex;
  std::vector<std::unique_ptr<span_data>> pool;

  /// Moves up to one batch out of the ring; called with the mutex held.
  void take(std::vector<std::unique_ptr<span_data>>& out) {
    const std::size_t n = std::min(count, options.max_export_batch_size);
    for (std::size_t i = 0; i < n; ++i) {
      out.push_back(std::move(ring[head]));
      head = head + 1 == ring.size() ? 0 : head + 1;
    }
    count -= n;
  }

  /// Scratch the worker (or shutdown_at_exit's thread) exports with; reused batch to batch.
  struct scratch {
    std::vector<std::unique_ptr<span_data>> taken;
    std::vector<const span_data*> pointers;  ///< export_records' view of `taken`
    std::vector<span_data> batch;            ///< export_spans' contiguous copy, slots kept
  };

  /// Exports `taken`: as pointers when the exporter reads records in place (export_records),
  /// else moved into one contiguous batch for export_spans and each span's buffers moved back
  /// into its record (the batch's slots persist, so no span_data is built or destroyed). Then
  /// returns the records to the pool.
  void export_batch(scratch& x) {
    auto& taken = x.taken;
    if (taken.empty()) return;
    if (exp) {
      const std::size_t n = taken.size();
      x.pointers.clear();
      for (const auto& t : taken) x.pointers.push_back(t.get());
      if (!exp->export_records(x.pointers)) {
        if (x.batch.size() < n) x.batch.resize(n);
        for (std::size_t i = 0; i < n; ++i) x.batch[i] = std::move(*taken[i]);
        (void)exp->export_spans(std::span<const span_data>(x.batch.data(), n));
        for (std::size_t i = 0; i < n; ++i) *taken[i] = std::move(x.batch[i]);
      }
    }
    recycle(taken);
  }

  /// Frees what a new span must not see (events, links) here, on the worker, and pools the
  /// records up to max_queue_size; the rest are freed.
  void recycle(std::vector<std::unique_ptr<span_data>>& taken) {
    for (auto& s : taken) {
      s->events.clear();
      s->links.clear();
    }
    {
      std::lock_guard lock(pool_mutex);
      while (!taken.empty() && pool.size() < options.max_queue_size) {
        pool.push_back(std::move(taken.back()));
        taken.pop_back();
      }
    }
    taken.clear();
  }

  /// Takes one batch from the ring and exports it with the mutex released (held on entry and
  /// on return).
  void export_next(std::unique_lock<std::mutex>& lock, scratch& x) noexcept {
    take(x.taken);
    wake_pending = false;
    lock.unlock();
    try {
      export_batch(x);
    } catch (...) {
      x.taken.clear();
      x.batch.clear();
    }
    lock.lock();
  }

  std::size_t take_pooled(std::span<std::unique_ptr<span_data>> out) noexcept {
    std::lock_guard lock(pool_mutex);
    const std::size_t n = std::min(out.size(), pool.size());
    for (std::size_t i = 0; i < n; ++i) {
      out[i] = std::move(pool.back());
      pool.pop_back();
    }
    return n;
  }

  void run() noexcept {
    scratch x;
    try {
      x.taken.reserve(options.max_export_batch_size);
      x.pointers.reserve(options.max_export_batch_size);
    } catch (...) {
    }
    std::unique_lock lock(mutex);
    auto deadline = std::chrono::steady_clock::now() + options.schedule_delay;
    while (true) {
      idle = true;
      wake.wait_until(lock, deadline, [&] {
        return stop || flush_requested != flush_completed || count >= options.max_export_batch_size;
      });
      idle = false;
      if (taken_over) break;
      const bool flushing = stop || flush_requested != flush_completed;
      const std::uint64_t target = flush_requested;
      do {
        export_next(lock, x);
      } while (count >= options.max_export_batch_size || (flushing && count > 0));
      if (flushing) {
        lock.unlock();
        if (exp) (void)exp->force_flush(options.export_timeout);
        lock.lock();
        flush_completed = target;
        done.notify_all();
      }
      if (stop) break;
      deadline = std::chrono::steady_clock::now() + options.schedule_delay;
    }
    if (!taken_over) {
      lock.unlock();
      if (exp) exp->shutdown(options.export_timeout);
      lock.lock();
    }
    exited = true;
    done.notify_all();
  }

  /// shutdown_at_exit's fast path, on the exiting thread with the mutex held and the worker
  /// idle: exports what is queued, flushes and shuts the exporter down here, so the exit does
  /// not wait for the worker thread to be scheduled (a scheduler round trip, milliseconds on a
  /// loaded machine, for every short-lived process). Returns false if the worker is busy.
  bool take_over(std::unique_lock<std::mutex>& lock) noexcept {
    if (!idle || stop || exited) return false;
    taken_over = true;
    stop = true;
    scratch x;
    while (count > 0) export_next(lock, x);
    lock.unlock();
    if (exp) {
      (void)exp->force_flush(options.export_timeout);
      exp->shutdown(options.export_timeout);
    }
    lock.lock();
    flush_completed = flush_requested;
    done.notify_all();
    wake.notify_one();  // the worker leaves whenever it is scheduled; nobody waits for it
    return true;
  }
};

namespace {

std::chrono::milliseconds wait_limit(std::chrono::milliseconds timeout) {
  // A timeout of 0 means "no limit" in OTel; a day is the same for a process that exits.
  return timeout.count() <= 0 ? std::chrono::hours(24) : timeout;
}

}  // namespace

batch_options batch_options::from_env(const config::env_lookup& env, const warn_fn& warn) {
  batch_options o;
  if (auto v = env_millis(env, "OTEL_BSP_SCHEDULE_DELAY", "5000", warn)) o.schedule_delay = *v;
  if (auto v = env_millis(env, "OTEL_BSP_EXPORT_TIMEOUT", "30000", warn)) o.export_timeout = *v;
  if (auto v = env_integer(env, "OTEL_BSP_MAX_QUEUE_SIZE", 1, 1 << 24, "2048", warn)) {
    o.max_queue_size = static_cast<std::size_t>(*v);
  }
  if (auto v = env_integer(env, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 1, 1 << 24, "512", warn)) {
    o.max_export_batch_size = static_cast<std::size_t>(*v);
  }
  if (o.max_export_batch_size > o.max_queue_size) {
    if (warn && env_value(env, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE")) {
      warn("OTEL_BSP_MAX_EXPORT_BATCH_SIZE=" + std::to_string(o.max_export_batch_size) +
           " is larger than OTEL_BSP_MAX_QUEUE_SIZE=" + std::to_string(o.max_queue_size) +
           "; using " + std::to_string(o.max_queue_size));
    }
    o.max_export_batch_size = o.max_queue_size;
  }
  return o;
}

batch_processor::batch_processor(std::unique_ptr<exporter> exp, batch_options options)
    : options_(options) {
  if (options_.max_queue_size == 0) options_.max_queue_size = 1;
  if (options_.max_export_batch_size == 0) options_.max_export_batch_size = 1;
  options_.max_export_batch_size =
      std::min(options_.max_export_batch_size, options_.max_queue_size);
  state_ = std::make_shared<state>(std::move(exp), options_);
  worker_ = std::thread([s = state_] { s->run(); });
}

batch_processor::~batch_processor() { shutdown(options_.export_timeout); }

void batch_processor::on_end(std::unique_ptr<span_data> span) noexcept {
  if (!span || (span->flags & flag_sampled) == 0) return;
  auto& s = *state_;
  bool notify = false;
  {
    std::lock_guard lock(s.mutex);
    if (s.stop || s.count == s.ring.size()) {
      s.dropped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    std::size_t tail = s.head + s.count;
    if (tail >= s.ring.size()) tail -= s.ring.size();
    s.ring[tail] = std::move(span);
    ++s.count;
    if (s.count >= options_.max_export_batch_size && !s.wake_pending) {
      s.wake_pending = true;
      notify = true;
    }
  }
  if (notify) s.wake.notify_one();
}

bool batch_processor::force_flush(std::chrono::milliseconds timeout) noexcept {
  auto& s = *state_;
  std::unique_lock lock(s.mutex);
  if (s.exited || s.stop) return s.count == 0;
  const std::uint64_t ticket = ++s.flush_requested;
  s.wake.notify_one();
  return s.done.wait_for(lock, wait_limit(timeout),
                         [&] { return s.flush_completed >= ticket || s.exited; });
}

void batch_processor::shutdown(std::chrono::milliseconds timeout) noexcept {
  std::lock_guard join_lock(join_mutex_);
  if (!worker_.joinable()) return;  // already shut down (or given up on)
  auto& s = *state_;
  bool finished = false;
  {
    std::unique_lock lock(s.mutex);
    s.stop = true;
    s.wake.notify_one();
    finished = s.done.wait_for(lock, wait_limit(timeout), [&] { return s.exited; });
  }
  if (finished) {
    worker_.join();
  } else {
    worker_.detach();  // the worker owns a reference to the state and ends on its own
  }
}

std::uint64_t batch_processor::shutdown_at_exit(std::chrono::milliseconds bound) noexcept {
  auto& s = *state_;
  const auto lost = [&s] {
    return s.dropped.load(std::memory_order_relaxed) + (s.exp ? s.exp->failed_spans() : 0);
  };
  const std::uint64_t before = lost();
  if (s.exp) s.exp->exit_by(std::chrono::steady_clock::now() + bound);
  {
    std::lock_guard join_lock(join_mutex_);
    std::unique_lock lock(s.mutex);
    if (worker_.joinable() && s.take_over(lock)) {
      // The worker sleeps until its next deadline (or the process ends), then leaves without
      // touching the exporter; it holds its own reference to the state.
      lock.unlock();
      worker_.detach();
      return lost() - before;
    }
  }
  shutdown(bound);
  std::uint64_t left = 0;
  {
    std::lock_guard lock(s.mutex);
    if (!s.exited) left = s.count;  // the worker is still in an export: these will not go
  }
  return lost() - before + left;
}

std::size_t batch_processor::take_recycled(std::span<std::unique_ptr<span_data>> out) noexcept {
  return state_->take_pooled(out);
}

std::uint64_t batch_processor::dropped_spans() const noexcept {
  return state_->dropped.load(std::memory_order_relaxed);
}

}  // namespace vmterm::trace
