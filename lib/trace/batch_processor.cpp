#include "trace/batch_processor.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <vector>

namespace vmterm::trace {
namespace {

std::atomic<std::uint64_t> next_processor_id{1};

/// Spans a thread stages before it moves them into the queue in one go.
constexpr std::size_t max_stage = 32;

/// One thread's side of one batch processor: the spans it ended, staged until there are
/// enough to move into the queue under one lock (so threads ending spans at once do not
/// contend on the queue's mutex for each span), and the records exported from its spans,
/// back for its next spans (so records stay with the thread, and in its cache).
///
/// Staging takes no lock: the owning thread writes the record into the next slot and publishes
/// it with one compare-and-swap of `staged` (a mutex cost two locked instructions and two
/// calls per span). Whoever moves the staged spans out (the owner every stage_size spans, the
/// exporting thread when it drains the shard, the owner's exit) swaps in `taking` first and
/// puts back 0 (or `closed_bit`) when done; the owner waits (it yields) while `taking` is set.
/// `pool_mutex` is taken by the owner when it takes records and by the exporting thread when
/// it returns them: rarely contended. Aligned to a cache line of its own: the shards of two
/// threads ending spans at once must not share one.
struct alignas(64) stage_shard {
  static constexpr std::uint32_t count_mask = 0xff;   ///< staged spans (at most max_stage)
  static constexpr std::uint32_t taking = 0x100;      ///< being moved out
  static constexpr std::uint32_t closed_bit = 0x200;  ///< later spans are dropped
  std::atomic<std::uint32_t> staged{0};
  std::array<span_data*, max_stage> slots{};     ///< owned: [0, staged & count_mask)
  std::vector<std::unique_ptr<span_data>> pool;  ///< exported records for the owner
  std::atomic<bool> orphaned{false};             ///< the owning thread has exited
  /// Guards `pool` alone, so that a span end never waits for records being returned.
  std::mutex pool_mutex;
  /// Of its spans, how many the queue holds or an export has not yet returned: the shard is
  /// dropped from the processor's list only at 0 (the exporting thread returns records to it).
  std::atomic<std::size_t> in_queue{0};
  /// The processor (its state), told when the owning thread exits: it queues what the thread
  /// staged and drops the shard, so shards of short-lived threads do not pile up.
  std::weak_ptr<void> owner;
  void (*thread_exited)(void* owner, stage_shard& shard) noexcept = nullptr;

  stage_shard() = default;
  stage_shard(const stage_shard&) = delete;
  stage_shard& operator=(const stage_shard&) = delete;
  ~stage_shard() {
    const std::uint32_t n = staged.load(std::memory_order_acquire) & count_mask;
    for (std::uint32_t i = 0; i < n; ++i) delete slots[i];
  }

  /// The processor has shut down: spans are dropped. Any thread.
  [[nodiscard]] bool closed() const noexcept {
    return (staged.load(std::memory_order_relaxed) & closed_bit) != 0;
  }

  /// `staged` once no thread is moving the spans out (that takes a few stores).
  [[nodiscard]] std::uint32_t untaken() const noexcept {
    std::uint32_t v = staged.load(std::memory_order_acquire);
    for (int spins = 0; (v & taking) != 0; v = staged.load(std::memory_order_acquire)) {
      if (++spins > 64) std::this_thread::yield();
    }
    return v;
  }

  /// Moves the staged spans into `out` (room for max_stage); with `close`, later spans are
  /// refused. Returns how many. Any thread.
  std::size_t take_staged(std::unique_ptr<span_data>* out, bool close) noexcept {
    std::uint32_t v = untaken();
    while (!staged.compare_exchange_weak(v, v | taking, std::memory_order_acquire,
                                         std::memory_order_relaxed)) {
      v = untaken();
    }
    const std::uint32_t n = v & count_mask;
    for (std::uint32_t i = 0; i < n; ++i) out[i].reset(slots[i]);
    staged.store(close || (v & closed_bit) != 0 ? closed_bit : 0, std::memory_order_release);
    return n;
  }

  /// Stages `span` (the owning thread only); returns the staged count, 0 when the shard is
  /// closed (`span` is then left with the caller).
  std::uint32_t stage(std::unique_ptr<span_data>& span) noexcept {
    for (std::uint32_t v = untaken();; v = untaken()) {
      if ((v & closed_bit) != 0) return 0;
      slots[v] = span.get();  // beyond what a taker reads: it took [0, v) or waits for us
      if (staged.compare_exchange_weak(v, v + 1, std::memory_order_release,
                                       std::memory_order_relaxed)) {
        (void)span.release();
        return v + 1;
      }
    }
  }
};

/// This thread's shards, one per batch processor it ended spans through (processors are told
/// apart by an id that is never reused). At thread exit each is marked orphaned: the exporting
/// thread drains it and drops it.
struct thread_shards {
  struct entry {
    std::uint64_t processor;
    std::shared_ptr<stage_shard> shard;
  };
  std::vector<entry> entries;
  std::uint64_t last_processor = 0;
  stage_shard* last = nullptr;

  thread_shards() = default;
  thread_shards(const thread_shards&) = delete;
  thread_shards& operator=(const thread_shards&) = delete;
  ~thread_shards() {
    for (auto& e : entries) {
      stage_shard& sh = *e.shard;
      if (auto owner = sh.owner.lock()) {
        sh.thread_exited(owner.get(), sh);
      } else {
        sh.orphaned.store(true, std::memory_order_relaxed);
        std::lock_guard pool_lock(sh.pool_mutex);
        sh.pool.clear();
      }
    }
  }
};

thread_local thread_shards tls_shards;

/// A queued span and the shard it came through (nullptr: pushed directly), with what the
/// exporting thread needs to know of the record copied out by the thread that queued it (its
/// end time for ordering a mixed batch, whether it holds events or links to free), so that the
/// exporting thread reads the record only through the exporter: a record line it read would
/// have to be taken back from its cache when the ending thread reuses the record.
struct queued {
  std::unique_ptr<span_data> span;
  stage_shard* from = nullptr;
  std::uint64_t end_unix_nano = 0;
  bool extras = false;  ///< events or links to free before reuse
};

}  // namespace

struct batch_processor::state : std::enable_shared_from_this<batch_processor::state> {
  static void on_thread_exit(void* self, stage_shard& sh) noexcept {
    static_cast<state*>(self)->thread_exited(sh);
  }

  /// The owning thread of `sh` is exiting: queues what it staged (dropped and counted after
  /// shutdown) and drops the shard unless an export still holds its records (then the
  /// exporting thread's next drain does).
  void thread_exited(stage_shard& sh) noexcept {
    std::array<std::unique_ptr<span_data>, max_stage> chunk;
    const std::size_t n = sh.take_staged(chunk.data(), false);
    sh.orphaned.store(true, std::memory_order_relaxed);
    {
      std::lock_guard pool_lock(sh.pool_mutex);
      sh.pool.clear();
    }
    if (n > 0) push(chunk.data(), n, nullptr, false);
    std::lock_guard registry(shards_mutex);
    if (sh.in_queue.load(std::memory_order_acquire) != 0) return;
    std::erase_if(shards, [&](const std::shared_ptr<stage_shard>& p) { return p.get() == &sh; });
  }

  explicit state(std::unique_ptr<exporter> e, const batch_options& o)
      : exp(std::move(e)),
        options(o),
        stage_size(std::min(max_stage, o.max_export_batch_size)),
        ring(o.max_queue_size) {}

  const std::uint64_t id = next_processor_id.fetch_add(1, std::memory_order_relaxed);
  std::unique_ptr<exporter> exp;
  batch_options options;
  const std::size_t stage_size;
  std::mutex mutex;
  std::condition_variable wake;  ///< the worker waits here
  std::condition_variable done;  ///< flush and shutdown callers wait here
  std::vector<queued> ring;
  std::size_t head = 0;
  std::size_t count = 0;
  /// `count` for readers without the mutex: a thread stages spans only while the queue has
  /// room for all it may stage, so that a full queue drops exactly as without staging.
  std::atomic<std::size_t> count_hint{0};
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

  /// Every thread's shard; the exporting thread drains them. Own mutex, taken when a thread
  /// first ends a span through this processor and by the exporting thread.
  std::mutex shards_mutex;
  std::vector<std::shared_ptr<stage_shard>> shards;
  bool shards_closed = false;  ///< under shards_mutex: new shards start closed

  /// Exported records of spans pushed without a shard, waiting for reuse (take_recycled).
  std::mutex pool_mutex;
  std::vector<std::unique_ptr<span_data>> pool;

  /// This thread's shard; nullptr when it could not be made (out of memory).
  stage_shard* local_shard() noexcept {
    thread_shards& t = tls_shards;
    if (t.last_processor == id) return t.last;
    return local_shard_slow(t);
  }

  stage_shard* local_shard_slow(thread_shards& t) noexcept {
    try {
      std::erase_if(t.entries, [](const thread_shards::entry& e) { return e.shard->closed(); });
      t.last_processor = 0;
      t.last = nullptr;
      stage_shard* found = nullptr;
      for (auto& e : t.entries) {
        if (e.processor == id) found = e.shard.get();
      }
      if (found == nullptr) {
        auto sh = std::make_shared<stage_shard>();
        sh->owner = weak_from_this();
        sh->thread_exited = &state::on_thread_exit;
        t.entries.reserve(t.entries.size() + 1);
        {
          std::lock_guard lock(shards_mutex);
          if (shards_closed) sh->staged.store(stage_shard::closed_bit, std::memory_order_relaxed);
          shards.push_back(sh);
        }
        found = sh.get();
        t.entries.push_back({id, std::move(sh)});
      }
      t.last_processor = id;
      t.last = found;
      return found;
    } catch (...) {
      return nullptr;
    }
  }

  /// Moves `n` spans into the queue; those it has no room for are dropped and counted. The
  /// exporting thread's drain (`draining`) also pushes after stop.
  void push(std::unique_ptr<span_data>* spans, std::size_t n, stage_shard* from,
            bool draining) noexcept {
    bool notify = false;
    std::size_t lost = 0;
    {
      std::lock_guard lock(mutex);
      std::size_t accepted = 0;
      for (std::size_t i = 0; i < n; ++i) {
        if ((stop && !draining) || count == ring.size()) {
          ++lost;
          continue;
        }
        std::size_t tail = head + count;
        if (tail >= ring.size()) tail -= ring.size();
        span_data& d = *spans[i];
        const bool extras = !d.events.empty() || !d.links.empty();
        ring[tail] = queued{std::move(spans[i]), from, d.end_unix_nano, extras};
        ++count;
        ++accepted;
      }
      if (from != nullptr && accepted > 0) {
        from->in_queue.fetch_add(accepted, std::memory_order_relaxed);
      }
      count_hint.store(count, std::memory_order_relaxed);
      if (count >= options.max_export_batch_size && !wake_pending) {
        wake_pending = true;
        notify = true;
      }
    }
    for (std::size_t i = 0; i < n; ++i) spans[i].reset();  // the dropped ones
    if (lost > 0) dropped.fetch_add(lost, std::memory_order_relaxed);
    if (notify && !draining) wake.notify_one();
  }

  /// Moves every thread's staged spans into the queue; with `close`, also closes every shard
  /// (later spans are dropped) and frees their pooled records. Drops the shards of threads that
  /// have exited once nothing of theirs is queued. The exporting thread only, without `mutex`.
  void drain_shards(bool close) noexcept {
    std::lock_guard registry(shards_mutex);
    if (close) shards_closed = true;
    for (std::size_t i = 0; i < shards.size();) {
      stage_shard& sh = *shards[i];
      std::array<std::unique_ptr<span_data>, max_stage> chunk;
      const std::size_t n = sh.take_staged(chunk.data(), close);
      if (close) {
        std::lock_guard pool_lock(sh.pool_mutex);
        sh.pool.clear();
      }
      const bool orphaned = sh.orphaned.load(std::memory_order_relaxed);
      if (n > 0) push(chunk.data(), n, &sh, true);
      if ((orphaned || close) && sh.in_queue.load(std::memory_order_relaxed) == 0) {
        shards.erase(shards.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
  }

  /// Moves up to one batch out of the ring; called with the mutex held. Spans from several
  /// threads are put in the order they ended (each thread's stay in order on their own).
  void take(std::vector<queued>& out) {
    const std::size_t n = std::min(count, options.max_export_batch_size);
    bool mixed = false;
    for (std::size_t i = 0; i < n; ++i) {
      queued& q = ring[head];
      if (!out.empty() && out.back().from != q.from) mixed = true;
      out.push_back(std::move(q));
      head = head + 1 == ring.size() ? 0 : head + 1;
    }
    count -= n;
    // Keeps what is queued at the front of the ring when that is a few spans (a batch taken
    // leaves what was pushed since the wake): the ring is max_queue_size entries (2 MiB at
    // 65,536), and a queue that slid through all of it would have every push write lines last
    // touched 65,536 spans ago (a cache miss per two spans, on the ending thread).
    if (head != 0 && count <= max_stage && head + count <= ring.size()) {
      for (std::size_t i = 0; i < count; ++i) ring[i] = std::move(ring[head + i]);
      head = 0;
    }
    count_hint.store(count, std::memory_order_relaxed);
    if (mixed) {
      std::stable_sort(out.begin(), out.end(), [](const queued& a, const queued& b) {
        return a.end_unix_nano < b.end_unix_nano;
      });
    }
  }

  /// Scratch the worker (or shutdown_at_exit's thread) exports with; reused batch to batch.
  struct scratch {
    std::vector<queued> taken;
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
      for (const auto& t : taken) x.pointers.push_back(t.span.get());
      if (!exp->export_records(x.pointers)) {
        if (x.batch.size() < n) x.batch.resize(n);
        for (std::size_t i = 0; i < n; ++i) x.batch[i] = std::move(*taken[i].span);
        (void)exp->export_spans(std::span<const span_data>(x.batch.data(), n));
        for (std::size_t i = 0; i < n; ++i) *taken[i].span = std::move(x.batch[i]);
      }
    }
    recycle(taken);
  }

  /// Frees what a new span must not see (events, links) here, on the exporting thread, and
  /// returns each record to the shard of the thread that ended it (or to the shared pool),
  /// up to max_queue_size records each; the rest are freed.
  void recycle(std::vector<queued>& taken) noexcept {
    for (auto& q : taken) {
      if (!q.extras) continue;
      q.span->events.clear();
      q.span->links.clear();
    }
    for (std::size_t i = 0; i < taken.size();) {
      stage_shard* from = taken[i].from;
      std::size_t j = i;
      while (j < taken.size() && taken[j].from == from) ++j;
      auto& pool_of = from != nullptr ? from->pool : pool;
      const std::size_t returned = j - i;
      {
        std::lock_guard lock(from != nullptr ? from->pool_mutex : pool_mutex);
        const bool open =
            from == nullptr || (!from->orphaned.load(std::memory_order_relaxed) && !from->closed());
        for (; i < j; ++i) {
          if (open && pool_of.size() < options.max_queue_size) {
            try {
              pool_of.push_back(std::move(taken[i].span));
            } catch (...) {  // out of memory: the record is freed instead (never throws)
            }
          }
        }
      }
      // The last touch of `from`: at 0 an exiting owner may drop the shard.
      if (from != nullptr) from->in_queue.fetch_sub(returned, std::memory_order_release);
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
      for (auto& q : x.taken) {
        if (q.from != nullptr) q.from->in_queue.fetch_sub(1, std::memory_order_release);
      }
      x.taken.clear();
      x.batch.clear();
    }
    lock.lock();
  }

  static std::size_t take_from(std::mutex& m, std::vector<std::unique_ptr<span_data>>& from,
                               std::span<std::unique_ptr<span_data>> out) noexcept {
    std::lock_guard lock(m);
    const std::size_t n = std::min(out.size(), from.size());
    for (std::size_t i = 0; i < n; ++i) {
      out[i] = std::move(from.back());
      from.pop_back();
    }
    return n;
  }

  /// This thread's records first, then the shared pool's.
  std::size_t take_pooled(std::span<std::unique_ptr<span_data>> out) noexcept {
    std::size_t n = 0;
    if (stage_shard* sh = local_shard()) n = take_from(sh->pool_mutex, sh->pool, out);
    if (n == 0) n = take_from(pool_mutex, pool, out);
    return n;
  }

  /// A span ended on this thread: staged in its shard, moved into the queue with the spans
  /// staged before it once there are stage_size of them or the queue is nearly full.
  void on_end(std::unique_ptr<span_data> span) noexcept {
    if (count_hint.load(std::memory_order_relaxed) >= ring.size()) {  // full: drop, no lock
      dropped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    stage_shard* sh = local_shard();
    if (sh == nullptr) {
      push(&span, 1, nullptr, false);
      return;
    }
    const std::uint32_t staged = sh->stage(span);
    if (staged == 0) {  // closed
      dropped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (staged < stage_size &&
        count_hint.load(std::memory_order_relaxed) + stage_size < ring.size()) {
      return;
    }
    flush_staged(*sh);
  }

  /// Moves what `sh` staged into the queue (out of line: the common span end stages only).
  [[gnu::noinline]] void flush_staged(stage_shard& sh) noexcept {
    std::array<std::unique_ptr<span_data>, max_stage> chunk;
    const std::size_t n = sh.take_staged(chunk.data(), false);
    if (n > 0) push(chunk.data(), n, &sh, false);
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
      const bool closing = stop;
      lock.unlock();
      drain_shards(closing);
      lock.lock();
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
      // Only after the closing drain: a stop that came during this round (after `closing` was
      // read) gets one more, at once, else what was staged or queued since would be lost.
      if (closing) break;
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
    lock.unlock();
    drain_shards(true);
    lock.lock();
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
  state_->on_end(std::move(span));
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
