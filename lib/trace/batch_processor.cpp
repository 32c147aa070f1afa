#include "trace/batch_processor.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <new>
#include <vector>

namespace vmterm::trace {
namespace {

std::atomic<std::uint64_t> next_processor_id{1};

/// Spans a thread stages before it hands them to the worker in one go (one chunk).
constexpr std::size_t max_stage = 32;

struct stage_shard;

/// Up to max_stage ended spans, handed to the worker whole: the thread that fills a chunk
/// writes it, the worker only reads it, and the chunk goes back (with its records) to the
/// thread's shard after the export. With each span the chunk keeps what the worker needs to
/// know of its record (end time, to put a batch that mixes threads in order; whether it holds
/// events or links to free), so the worker reads no record: a record line it read would have
/// to be taken back from its cache when the ending thread reuses the record.
struct chunk {
  chunk* next = nullptr;        ///< in the queue, the worker's list, or a shard's list
  stage_shard* from = nullptr;  ///< nullptr: the records go to the shared pool
  std::uint32_t count = 0;      ///< spans[0, count) are owned
  std::uint32_t taken = 0;      ///< the worker's: how many of them a batch has taken
  std::array<std::uint8_t, max_stage> extras{};  ///< events or links to free before reuse
  std::array<std::uint64_t, max_stage> end{};
  std::array<span_data*, max_stage> spans{};

  chunk() = default;
  chunk(const chunk&) = delete;
  chunk& operator=(const chunk&) = delete;
  ~chunk() {
    for (std::uint32_t i = 0; i < count; ++i) delete spans[i];
  }
};

/// Deletes a list of chunks linked through `next`.
void delete_chunks(chunk* c) noexcept {
  while (c != nullptr) delete std::exchange(c, c->next);
}

/// One thread's side of one batch processor: the spans it ended, staged until a chunk's worth
/// is handed to the worker (so threads ending spans at once share no lock and no queue slot),
/// and the chunks of records exported from its spans, back for its next spans (so records
/// stay with the thread, and in its cache).
///
/// Staging takes no lock: the owning thread writes the record into the next slot and publishes
/// it with one compare-and-swap of `staged`. Whoever moves the staged spans out (the owner
/// every stage_size spans, the worker when it drains the shard, the owner's exit) swaps in
/// `taking` first, copies the slots into a chunk, queues the chunk and puts back 0 (or
/// `closed_bit`): so one shard's chunks are queued in the order their spans ended. The
/// holder of `taking` also owns `spare`. `pool_mutex` guards `returned`: taken by the worker
/// when it returns a chunk and by the owner when it takes records, once per chunk each.
/// Aligned to a cache line of its own: the shards of two threads ending spans at once must
/// not share one.
struct alignas(64) stage_shard {
  static constexpr std::uint32_t count_mask = 0xff;   ///< staged spans (at most max_stage)
  static constexpr std::uint32_t taking = 0x100;      ///< being moved out
  static constexpr std::uint32_t closed_bit = 0x200;  ///< later spans are dropped
  std::atomic<std::uint32_t> staged{0};
  std::array<span_data*, max_stage> slots{};  ///< owned: [0, staged & count_mask)
  /// Of each staged span, what its chunk keeps: read here, while the record is in this core's
  /// cache, not when the chunk is filled.
  std::array<std::uint64_t, max_stage> ends{};
  std::array<std::uint8_t, max_stage> extras{};
  /// The owner's: the queue had room for a whole chunk more when this chunk's first span was
  /// staged, so the rest of it is staged without reading the queue's count (a line every
  /// thread's hand-over writes). Cleared at each hand-over.
  bool roomy = false;
  chunk* spare = nullptr;                         ///< empty chunks; the holder of `taking`'s
  alignas(64) std::atomic<bool> orphaned{false};  ///< the owning thread has exited
  /// Of its chunks, how many the queue holds or an export has not yet returned: the shard is
  /// dropped from the processor's list only at 0 (the worker returns chunks to it).
  std::atomic<std::size_t> in_queue{0};
  std::mutex pool_mutex;
  chunk* returned = nullptr;  ///< under pool_mutex: exported chunks, records in them
  std::size_t pooled = 0;     ///< under pool_mutex: records in `returned`
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
    delete_chunks(spare);
    delete_chunks(returned);
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

  /// Sets `taking`; returns `staged` as it was. The caller owns the slots and `spare` until
  /// it calls untake. Any thread.
  std::uint32_t take() noexcept {
    std::uint32_t v = untaken();
    while (!staged.compare_exchange_weak(v, v | taking, std::memory_order_acquire,
                                         std::memory_order_relaxed)) {
      v = untaken();
    }
    return v;
  }

  /// Ends a take: nothing staged, closed if `close` or it was.
  void untake(std::uint32_t was, bool close) noexcept {
    staged.store(close || (was & closed_bit) != 0 ? closed_bit : 0, std::memory_order_release);
  }

  /// Stages `span` (the owning thread only); returns the staged count, 0 when the shard is
  /// closed (`span` is then left with the caller).
  std::uint32_t stage(std::unique_ptr<span_data>& span) noexcept {
    for (std::uint32_t v = untaken();; v = untaken()) {
      if ((v & closed_bit) != 0) return 0;
      slots[v] = span.get();  // beyond what a taker reads: it took [0, v) or waits for us
      ends[v] = span->end_unix_nano;
      extras[v] = !span->events.empty() || !span->links.empty() ? 1 : 0;
      if (staged.compare_exchange_weak(v, v + 1, std::memory_order_release,
                                       std::memory_order_relaxed)) {
        (void)span.release();
        return v + 1;
      }
    }
  }

  /// Records for the owner's next spans, from the chunks the worker returned: the newest
  /// first (the records most likely still in this core's caches). The owning thread only.
  /// Emptied chunks become spares.
  std::size_t take_records(std::span<std::unique_ptr<span_data>> out) noexcept {
    std::size_t n = 0;
    chunk* emptied = nullptr;
    chunk* last_emptied = nullptr;
    {
      std::lock_guard lock(pool_mutex);
      while (returned != nullptr && n < out.size()) {
        chunk& c = *returned;
        while (c.count > 0 && n < out.size()) out[n++].reset(c.spans[--c.count]);
        if (c.count > 0) break;
        returned = c.next;
        c.next = emptied;
        emptied = &c;
        if (last_emptied == nullptr) last_emptied = &c;
      }
      pooled -= n;
    }
    if (emptied != nullptr) {
      const std::uint32_t was = take();
      last_emptied->next = spare;
      spare = emptied;
      staged.store(was, std::memory_order_release);  // as it was: a take changes nothing
    }
    return n;
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
      }
    }
  }
};

thread_local thread_shards tls_shards;

/// A span of a batch: the record and what its chunk says of it.
struct batch_entry {
  span_data* span;
  std::uint64_t end_unix_nano;
};

}  // namespace

struct batch_processor::state : std::enable_shared_from_this<batch_processor::state> {
  static void on_thread_exit(void* self, stage_shard& sh) noexcept {
    static_cast<state*>(self)->thread_exited(sh);
  }

  /// The owning thread of `sh` is exiting: queues what it staged (its records then go to the
  /// shared pool; dropped and counted after shutdown), frees its pooled records and drops the
  /// shard unless an export still holds its chunks (then the worker's next drain does).
  void thread_exited(stage_shard& sh) noexcept {
    const std::uint32_t was = sh.take();
    queue_taken(sh, was, nullptr);
    delete_chunks(std::exchange(sh.spare, nullptr));
    sh.orphaned.store(true, std::memory_order_relaxed);
    sh.untake(was, false);
    {
      std::lock_guard pool_lock(sh.pool_mutex);
      delete_chunks(std::exchange(sh.returned, nullptr));
    }
    std::lock_guard registry(shards_mutex);
    if (sh.in_queue.load(std::memory_order_acquire) != 0) return;
    std::erase_if(shards, [&](const std::shared_ptr<stage_shard>& p) { return p.get() == &sh; });
  }

  explicit state(std::unique_ptr<exporter> e, const batch_options& o)
      : exp(std::move(e)),
        options(o),
        stage_size(std::min(max_stage, o.max_export_batch_size)),
        capacity(o.max_queue_size) {}

  ~state() {
    delete_chunks(head.exchange(nullptr, std::memory_order_acquire));
    delete_chunks(pending_first);
  }

  const std::uint64_t id = next_processor_id.fetch_add(1, std::memory_order_relaxed);
  std::unique_ptr<exporter> exp;
  batch_options options;
  const std::size_t stage_size;
  const std::size_t capacity;  ///< max_queue_size

  /// The queue: chunks pushed by the threads that filled them (a lock-free stack, newest
  /// first; the worker takes all at once), and its count of spans, which also counts the
  /// spans the worker took from it and has not exported yet: a thread stages spans only while
  /// the queue has room for all it may stage, so that a full queue drops exactly as without
  /// staging. Both on one line of their own: a hand-over writes it once.
  alignas(64) std::atomic<chunk*> head{nullptr};
  std::atomic<std::size_t> queued{0};
  /// A wake-up of the worker for a full batch is on its way (or the worker is awake): the
  /// threads that hand chunks over do not take the mutex to wake it again.
  std::atomic<bool> wake_pending{true};

  alignas(64) std::mutex mutex;
  std::condition_variable wake;  ///< the worker waits here
  std::condition_variable done;  ///< flush and shutdown callers wait here
  std::uint64_t flush_requested = 0;
  std::uint64_t flush_completed = 0;
  bool stop = false;
  bool exited = false;
  /// The worker is waiting for work (set and cleared under the mutex around its wait).
  bool idle = false;
  /// shutdown_at_exit found the worker idle and exports on the exiting thread instead: the
  /// worker, when it next wakes, leaves without touching the exporter.
  bool taken_over = false;
  std::atomic<std::uint64_t> dropped{0};

  /// The exporting thread's (the worker, or shutdown_at_exit's): chunks taken from the queue,
  /// oldest first, and how many spans of them no batch has taken yet.
  chunk* pending_first = nullptr;
  chunk* pending_last = nullptr;
  std::size_t pending = 0;

  /// Every thread's shard; the exporting thread drains them. Own mutex, taken when a thread
  /// first ends a span through this processor and by the exporting thread.
  std::mutex shards_mutex;
  std::vector<std::shared_ptr<stage_shard>> shards;
  bool shards_closed = false;  ///< under shards_mutex: new shards start closed

  /// Exported records of spans queued without a shard, waiting for reuse (take_recycled).
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

  /// Queues chunk `c` of `c->count` spans, as many as the queue has room for (the rest are
  /// dropped and counted); an empty chunk is given back in `c`, else `c` is null. Wakes the
  /// worker when a full batch is waiting. Any thread.
  void push(chunk*& c) noexcept {
    const std::size_t n = c->count;
    std::size_t was = queued.load(std::memory_order_relaxed);
    std::size_t accepted = 0;
    do {
      accepted = was >= capacity ? 0 : std::min(n, capacity - was);
    } while (accepted > 0 && !queued.compare_exchange_weak(was, was + accepted));
    if (accepted < n) {
      for (std::size_t i = accepted; i < n; ++i) delete c->spans[i];
      c->count = static_cast<std::uint32_t>(accepted);
      dropped.fetch_add(n - accepted, std::memory_order_relaxed);
    }
    if (accepted == 0) return;
    if (c->from != nullptr) c->from->in_queue.fetch_add(1, std::memory_order_relaxed);
    c->taken = 0;
    c->next = head.load(std::memory_order_relaxed);
    while (!head.compare_exchange_weak(c->next, c, std::memory_order_release,
                                       std::memory_order_relaxed)) {
    }
    c = nullptr;
    // Seq-cst against the worker, which clears wake_pending before it reads `queued` to decide
    // to wait: either it sees these spans or this thread sees the flag cleared and wakes it.
    if (was + accepted >= options.max_export_batch_size && !wake_pending.load() &&
        !wake_pending.exchange(true)) {
      { std::lock_guard lock(mutex); }
      wake.notify_one();
    }
  }

  /// Moves what `sh` staged (its caller holds the take, `was` is what take returned) into a
  /// chunk and queues it; the records go back to `from` after the export. Any thread.
  void queue_taken(stage_shard& sh, std::uint32_t was, stage_shard* from) noexcept {
    const std::uint32_t n = was & stage_shard::count_mask;
    if (n == 0) return;
    chunk* c = sh.spare;
    if (c != nullptr) {
      sh.spare = c->next;
    } else {
      c = new (std::nothrow) chunk;
      if (c == nullptr) {  // out of memory: the spans are dropped and counted
        for (std::uint32_t i = 0; i < n; ++i) delete sh.slots[i];
        dropped.fetch_add(n, std::memory_order_relaxed);
        return;
      }
    }
    c->from = from;
    std::copy_n(sh.slots.begin(), n, c->spans.begin());
    std::copy_n(sh.ends.begin(), n, c->end.begin());
    std::copy_n(sh.extras.begin(), n, c->extras.begin());
    c->count = n;
    push(c);
    if (c != nullptr) {  // nothing accepted: the chunk is a spare again
      c->next = sh.spare;
      sh.spare = c;
    }
  }

  /// Moves every thread's staged spans into the queue; with `close`, also closes every shard
  /// (later spans are dropped) and frees their pooled records. Drops the shards of threads that
  /// have exited once nothing of theirs is queued. The exporting thread only, without `mutex`.
  void drain_shards(bool close) noexcept {
    std::lock_guard registry(shards_mutex);
    if (close) shards_closed = true;
    for (std::size_t i = 0; i < shards.size();) {
      stage_shard& sh = *shards[i];
      const std::uint32_t was = sh.take();
      const bool orphaned = sh.orphaned.load(std::memory_order_relaxed);
      queue_taken(sh, was, orphaned ? nullptr : &sh);
      sh.untake(was, close);
      if (close) {
        std::lock_guard pool_lock(sh.pool_mutex);
        delete_chunks(std::exchange(sh.returned, nullptr));
        sh.pooled = 0;
      }
      if ((orphaned || close) && sh.in_queue.load(std::memory_order_acquire) == 0) {
        shards.erase(shards.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
  }

  /// Takes every chunk queued so far onto the end of the pending list (oldest first).
  void collect() noexcept {
    chunk* c = head.exchange(nullptr, std::memory_order_acquire);
    chunk* first = nullptr;  // reversed: the stack holds the newest first
    chunk* last = c;
    while (c != nullptr) {
      pending += c->count;
      chunk* next = c->next;
      c->next = first;
      first = c;
      c = next;
    }
    if (first == nullptr) return;
    if (pending_last != nullptr) {
      pending_last->next = first;
    } else {
      pending_first = first;
    }
    pending_last = last;
  }

  /// Scratch the worker (or shutdown_at_exit's thread) exports with; reused batch to batch.
  struct scratch {
    std::vector<batch_entry> taken;
    std::vector<batch_entry> merged;         ///< put_in_order's other buffer
    std::vector<const span_data*> pointers;  ///< export_records' view of `taken`
    std::vector<span_data> batch;            ///< export_spans' contiguous copy, slots kept
    chunk* finished = nullptr;               ///< chunks whose last span is in this batch
  };

  /// Takes up to one batch from the pending chunks into `x.taken` (with `record` false, takes
  /// them without recording them: the batch is lost). Spans from several threads are put in
  /// the order they ended (each thread's stay in order on their own). Returns how many.
  std::size_t take(scratch& x, bool record) noexcept {
    x.taken.clear();
    const std::size_t n = std::min(pending, options.max_export_batch_size);
    bool mixed = false;
    const stage_shard* first_from = pending_first != nullptr ? pending_first->from : nullptr;
    for (std::size_t got = 0; got < n;) {
      chunk& c = *pending_first;
      if (c.from != first_from) mixed = true;
      const std::size_t k = std::min<std::size_t>(c.count - c.taken, n - got);
      if (record) {
        for (std::size_t i = c.taken; i < c.taken + k; ++i) {
          x.taken.push_back({c.spans[i], c.end[i]});  // reserved: never allocates
        }
      }
      got += k;
      c.taken += static_cast<std::uint32_t>(k);
      if (c.taken == c.count) {
        pending_first = c.next;
        if (pending_first == nullptr) pending_last = nullptr;
        c.next = x.finished;
        x.finished = &c;
      }
    }
    pending -= n;
    if (mixed && record) put_in_order(x);
    return n;
  }

  /// Puts `x.taken` in order of end time, stably, by merging the runs already in order (each
  /// thread's chunk is one) pairwise through `x.merged`: a few passes for a batch of chunks,
  /// where a sort compared every entry log n times. Never allocates (both have the capacity).
  static void put_in_order(scratch& x) noexcept {
    const auto before = [](const batch_entry& a, const batch_entry& b) {
      return a.end_unix_nano < b.end_unix_nano;
    };
    const std::size_t n = x.taken.size();
    x.merged.resize(n);
    batch_entry* from = x.taken.data();
    batch_entry* to = x.merged.data();
    while (true) {
      std::size_t merges = 0;  // each leaves one run in order
      for (std::size_t i = 0; i < n; ++merges) {
        std::size_t mid = i + 1;
        while (mid < n && !before(from[mid], from[mid - 1])) ++mid;
        std::size_t end = mid;
        if (end < n) {
          ++end;
          while (end < n && !before(from[end], from[end - 1])) ++end;
        }
        std::merge(from + i, from + mid, from + mid, from + end, to + i, before);
        i = end;
      }
      std::swap(from, to);
      if (merges <= 1) break;
    }
    if (from != x.taken.data()) x.taken.swap(x.merged);
  }

  /// Exports `x.taken`: as pointers when the exporter reads records in place (export_records),
  /// else moved into one contiguous batch for export_spans and each span's buffers moved back
  /// into its record (the batch's slots persist, so no span_data is built or destroyed).
  void export_batch(scratch& x) {
    auto& taken = x.taken;
    if (taken.empty() || !exp) return;
    const std::size_t n = taken.size();
    x.pointers.clear();
    for (const auto& t : taken) x.pointers.push_back(t.span);
    if (!exp->export_records(x.pointers)) {
      if (x.batch.size() < n) x.batch.resize(n);
      for (std::size_t i = 0; i < n; ++i) x.batch[i] = std::move(*taken[i].span);
      (void)exp->export_spans(std::span<const span_data>(x.batch.data(), n));
      for (std::size_t i = 0; i < n; ++i) *taken[i].span = std::move(x.batch[i]);
    }
  }

  /// Returns the finished chunks: each to the shard of the thread that filled it, with its
  /// records (events and links freed here, on the exporting thread), up to max_queue_size
  /// records a shard; records of chunks without a shard go to the shared pool. The rest are
  /// freed.
  void recycle(scratch& x) noexcept {
    // Oldest first (x.finished holds the newest first), so that each shard's list of returned
    // chunks has the newest on top: the owner reuses the records most likely still cached.
    chunk* oldest = nullptr;
    while (x.finished != nullptr) {
      chunk* c = std::exchange(x.finished, x.finished->next);
      c->next = std::exchange(oldest, c);
    }
    while (oldest != nullptr) {
      chunk* c = std::exchange(oldest, oldest->next);
      c->next = nullptr;
      for (std::uint32_t i = 0; i < c->count; ++i) {
        if (c->extras[i] == 0) continue;
        c->spans[i]->events.clear();
        c->spans[i]->links.clear();
      }
      stage_shard* from = c->from;
      if (from == nullptr) {
        std::lock_guard lock(pool_mutex);
        for (std::uint32_t i = 0; i < c->count && pool.size() < options.max_queue_size; ++i) {
          try {
            pool.emplace_back(c->spans[i]);
            c->spans[i] = nullptr;
          } catch (...) {  // out of memory: the record is freed instead (never throws)
          }
        }
        delete c;  // and what it still holds
        continue;
      }
      {
        std::lock_guard lock(from->pool_mutex);
        if (!from->orphaned.load(std::memory_order_relaxed) && !from->closed() &&
            from->pooled + c->count <= options.max_queue_size) {
          from->pooled += c->count;
          c->next = from->returned;
          from->returned = std::exchange(c, nullptr);
        }
      }
      delete c;  // not returned
      // The last touch of `from`: at 0 an exiting owner may drop the shard.
      from->in_queue.fetch_sub(1, std::memory_order_release);
    }
  }

  /// Takes one batch from the pending chunks and exports it (the mutex is not held); out of
  /// memory for the scratch, the batch is dropped and counted.
  void export_next(scratch& x) noexcept {
    bool ok = true;
    try {
      x.taken.reserve(options.max_export_batch_size);
      x.pointers.reserve(options.max_export_batch_size);
      x.merged.reserve(options.max_export_batch_size);
    } catch (...) {
      ok = false;
    }
    const std::size_t n = take(x, ok);
    queued.fetch_sub(n, std::memory_order_relaxed);  // an export is no longer in the queue
    if (ok) {
      try {
        export_batch(x);
      } catch (...) {
        ok = false;
        x.batch.clear();
      }
    }
    if (!ok) dropped.fetch_add(n, std::memory_order_relaxed);
    recycle(x);
  }

  /// Records of this thread's exported spans first, then the shared pool's.
  std::size_t take_pooled(std::span<std::unique_ptr<span_data>> out) noexcept {
    std::size_t n = 0;
    if (stage_shard* sh = local_shard()) n = sh->take_records(out);
    if (n == 0) {
      std::lock_guard lock(pool_mutex);
      n = std::min(out.size(), pool.size());
      for (std::size_t i = 0; i < n; ++i) {
        out[i] = std::move(pool.back());
        pool.pop_back();
      }
    }
    return n;
  }

  /// A span ended on this thread: staged in its shard, handed over with the spans staged
  /// before it once there are stage_size of them or the queue is nearly full.
  void on_end(std::unique_ptr<span_data> span) noexcept {
    stage_shard* sh = local_shard();
    const bool roomy = sh != nullptr && sh->roomy;
    if (!roomy && queued.load(std::memory_order_relaxed) >= capacity) {  // full: drop, no lock
      dropped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (sh == nullptr) {
      push_one(std::move(span));
      return;
    }
    const std::uint32_t staged = sh->stage(span);
    if (staged == 0) {  // closed
      dropped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (staged < stage_size) {
      if (roomy) return;
      if (queued.load(std::memory_order_relaxed) + 2 * stage_size <= capacity) {
        sh->roomy = true;
        return;
      }
    }
    flush_staged(*sh);
  }

  /// Hands what `sh` staged over (out of line: the common span end stages only).
  [[gnu::noinline]] void flush_staged(stage_shard& sh) noexcept {
    sh.roomy = false;
    const std::uint32_t was = sh.take();
    queue_taken(sh, was, &sh);
    sh.untake(was, false);
  }

  /// A span of a thread without a shard (out of memory for one): queued alone.
  [[gnu::noinline]] void push_one(std::unique_ptr<span_data> span) noexcept {
    bool closed = false;
    {
      std::lock_guard lock(shards_mutex);
      closed = shards_closed;
    }
    chunk* c = closed ? nullptr : new (std::nothrow) chunk;
    if (c == nullptr) {
      dropped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    c->end[0] = span->end_unix_nano;
    c->extras[0] = !span->events.empty() || !span->links.empty() ? 1 : 0;
    c->spans[0] = span.release();
    c->count = 1;
    push(c);
    delete c;
  }

  /// Exports what is pending: full batches, and with `all` the last partial one too.
  void export_pending(scratch& x, bool all) noexcept {
    while (pending >= options.max_export_batch_size || (all && pending > 0)) export_next(x);
  }

  void run() noexcept {
    scratch x;
    std::unique_lock lock(mutex);
    // The schedule: every shard is drained and everything queued exported at least once a
    // schedule delay, however often full batches wake the worker in between.
    auto deadline = std::chrono::steady_clock::now() + options.schedule_delay;
    while (true) {
      idle = true;
      while (true) {
        wake_pending.store(false);  // seq-cst against push's read: see there
        if (stop || flush_requested != flush_completed ||
            queued.load() >= options.max_export_batch_size) {
          break;
        }
        if (wake.wait_until(lock, deadline) == std::cv_status::timeout) break;
      }
      // Also when full batches came without a pause (the worker never waited): the schedule
      // holds however busy the queue is.
      const bool scheduled = std::chrono::steady_clock::now() >= deadline;
      wake_pending.store(true);
      idle = false;
      if (taken_over) break;
      const bool flushing = stop || flush_requested != flush_completed;
      const std::uint64_t target = flush_requested;
      const bool closing = stop;
      lock.unlock();
      if (flushing || scheduled) drain_shards(closing);
      collect();
      export_pending(x, flushing || scheduled);
      if (flushing) {
        if (exp) (void)exp->force_flush(options.export_timeout);
        lock.lock();
        flush_completed = target;
        done.notify_all();
      } else {
        lock.lock();
      }
      // Only after the closing drain: a stop that came during this round (after `closing` was
      // read) gets one more, at once, else what was staged or queued since would be lost.
      if (closing) break;
      if (flushing || scheduled) {
        deadline = std::chrono::steady_clock::now() + options.schedule_delay;
      }
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
    collect();
    {
      scratch x;
      export_pending(x, true);
    }
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
  if (s.exited || s.stop) return s.queued.load() == 0;
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
    if (!s.exited) left = s.queued.load();  // the worker is still in an export: these will not go
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
