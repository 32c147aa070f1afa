#include "trace/batch_processor.hpp"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fixture.hpp"

using namespace vmterm::trace;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

std::unique_ptr<span_data> make_span(bool sampled = true) {
  auto s = std::make_unique<span_data>();
  s->name.push_back('s');  // (assigning a literal trips GCC 12's -Wrestrict false positive)
  s->flags = sampled ? flag_sampled : 0;
  return s;
}

/// Blocks every export until released, as a stuck collector would.
class gated_exporter final : public exporter {
 public:
  explicit gated_exporter(std::shared_ptr<span_store> store) : store_(std::move(store)) {}
  export_result export_spans(std::span<const span_data> spans) noexcept override {
    std::unique_lock lock(*mutex_);
    cv_->wait(lock, [&] { return *open_; });
    store_->add(spans);
    return export_result::success;
  }
  void open() {
    std::lock_guard lock(*mutex_);
    *open_ = true;
    cv_->notify_all();
  }
  std::shared_ptr<std::mutex> mutex_ = std::make_shared<std::mutex>();
  std::shared_ptr<std::condition_variable> cv_ = std::make_shared<std::condition_variable>();
  std::shared_ptr<bool> open_ = std::make_shared<bool>(false);

 private:
  std::shared_ptr<span_store> store_;
};

bool wait_for_size(const span_store& store, std::size_t n, std::chrono::milliseconds limit) {
  const auto end = steady::now() + limit;
  while (steady::now() < end) {
    if (store.size() >= n) return true;
    std::this_thread::sleep_for(1ms);
  }
  return store.size() >= n;
}

batch_options slow_schedule() {
  batch_options o;
  o.schedule_delay = 60s;  // never reached in these tests
  o.export_timeout = 5s;
  return o;
}

/// For the hand-over tests: a queue that never fills, drains every `delay`, batches of `batch`.
batch_options hand_over_options(std::chrono::milliseconds delay, std::size_t batch) {
  batch_options o;
  o.schedule_delay = delay;
  o.export_timeout = 5s;
  o.max_queue_size = 1 << 16;
  o.max_export_batch_size = batch;
  return o;
}

/// A batch processor exporting into memory, for the hand-over tests.
struct into_memory {
  explicit into_memory(batch_options o) : bp(std::make_unique<in_memory_exporter>(store), o) {}
  std::shared_ptr<span_store> store = std::make_shared<span_store>();
  batch_processor bp;
};

/// Starts `threads` threads, each ending `per_thread` spans named "T:I" (thread T's I-th)
/// through `bp`, ended at end_time(T, I) (0: left unset).
std::vector<std::thread> end_named_spans(batch_processor& bp, int threads, int per_thread,
                                         std::function<std::uint64_t(int, int)> end_time) {
  std::vector<std::thread> enders;
  for (int t = 0; t < threads; ++t) {
    enders.emplace_back([&bp, per_thread, end_time, t] {
      for (int i = 0; i < per_thread; ++i) {
        auto s = make_span();
        s->name = std::to_string(t) + ":" + std::to_string(i);
        s->end_unix_nano = end_time(t, i);
        bp.on_end(std::move(s));
      }
    });
  }
  return enders;
}

/// Of spans named "T:I" (thread T's I-th), how many come out of their thread's order.
std::size_t out_of_order(const std::vector<span_data>& spans, int threads) {
  std::vector<int> next(static_cast<std::size_t>(threads), 0);
  std::size_t n = 0;
  for (const auto& s : spans) {
    const auto colon = s.name.find(':');
    const auto t = static_cast<std::size_t>(std::stoi(s.name.substr(0, colon)));
    const int i = std::stoi(s.name.substr(colon + 1));
    if (i != next[t]) ++n;
    next[t] = i + 1;
  }
  return n;
}

}  // namespace

TEST_CASE("shutdown exports everything at once instead of waiting for the schedule delay",
          "[trace][batch]") {
  auto store = std::make_shared<span_store>();
  batch_processor bp(std::make_unique<in_memory_exporter>(store), slow_schedule());
  for (int i = 0; i < 3; ++i) bp.on_end(make_span());
  const auto start = steady::now();
  bp.shutdown(5s);
  const auto took = steady::now() - start;
  CHECK(took < 500ms);
  CHECK(store->size() == 3);
  CHECK(store->shut_down());
  bp.on_end(make_span());  // after shutdown: dropped and counted
  CHECK(bp.dropped_spans() == 1);
  bp.shutdown(5s);  // idempotent
}

TEST_CASE("force_flush delivers every queued span promptly", "[trace][batch]") {
  auto store = std::make_shared<span_store>();
  batch_processor bp(std::make_unique<in_memory_exporter>(store), slow_schedule());
  for (int i = 0; i < 1000; ++i) bp.on_end(make_span());
  const auto start = steady::now();
  CHECK(bp.force_flush(5s));
  CHECK(steady::now() - start < 500ms);
  CHECK(store->size() == 1000);
  CHECK(store->batches() == 2);  // 512 + 488
  bp.on_end(make_span());
  CHECK(bp.force_flush(5s));
  CHECK(store->size() == 1001);
}

TEST_CASE("a full batch is exported without waiting for the schedule delay", "[trace][batch]") {
  auto store = std::make_shared<span_store>();
  auto o = slow_schedule();
  o.max_export_batch_size = 4;
  batch_processor bp(std::make_unique<in_memory_exporter>(store), o);
  for (int i = 0; i < 4; ++i) bp.on_end(make_span());
  CHECK(wait_for_size(*store, 4, 2s));
}

TEST_CASE("the schedule delay exports a partial batch", "[trace][batch]") {
  auto store = std::make_shared<span_store>();
  batch_options o;
  o.schedule_delay = 20ms;
  batch_processor bp(std::make_unique<in_memory_exporter>(store), o);
  bp.on_end(make_span());
  CHECK(wait_for_size(*store, 1, 2s));
}

TEST_CASE("unsampled (record-only) spans never reach the exporter", "[trace][batch]") {
  auto store = std::make_shared<span_store>();
  batch_processor bp(std::make_unique<in_memory_exporter>(store), slow_schedule());
  bp.on_end(make_span(false));
  bp.on_end(make_span(true));
  bp.shutdown(5s);
  CHECK(store->size() == 1);
  CHECK(bp.dropped_spans() == 0);
}

TEST_CASE("a stuck exporter never blocks the caller; a full queue drops and counts",
          "[trace][batch]") {
  auto store = std::make_shared<span_store>();
  auto exp = std::make_unique<gated_exporter>(store);
  auto* gate = exp.get();
  auto o = slow_schedule();
  o.max_queue_size = 100;
  o.max_export_batch_size = 10;
  batch_processor bp(std::move(exp), o);
  const auto start = steady::now();
  for (int i = 0; i < 5000; ++i) bp.on_end(make_span());
  CHECK(steady::now() - start < 200ms);
  const auto dropped = bp.dropped_spans();
  CHECK(dropped >= 5000 - 100 - 10);
  gate->open();
  CHECK(bp.force_flush(5s));
  bp.shutdown(5s);
  CHECK(store->size() + dropped == 5000);
}

namespace {

/// Records which thread exported and shut down.
class thread_recording_exporter final : public exporter {
 public:
  export_result export_spans(std::span<const span_data> spans) noexcept override {
    std::lock_guard lock(mutex);
    for (std::size_t i = 0; i < spans.size(); ++i)
      export_threads.push_back(std::this_thread::get_id());
    return export_result::success;
  }
  void shutdown(std::chrono::milliseconds /*timeout*/) noexcept override {
    std::lock_guard lock(mutex);
    shutdown_thread = std::this_thread::get_id();
  }
  std::mutex mutex;
  std::vector<std::thread::id> export_threads;
  std::thread::id shutdown_thread;
};

}  // namespace

TEST_CASE("shutdown_at_exit exports on the exiting thread when the worker is idle, losing nothing",
          "[trace][batch]") {
  auto owned = std::make_unique<thread_recording_exporter>();
  auto& exp = *owned;
  batch_processor bp(std::move(owned), slow_schedule());
  bp.on_end(make_span());
  // force_flush returns once the worker has exported and gone back to waiting (it holds the
  // queue's mutex from the flush's completion until its wait releases it): idle from here.
  REQUIRE(bp.force_flush(5s));
  for (int i = 0; i < 3; ++i) bp.on_end(make_span());
  const auto start = steady::now();
  CHECK(bp.shutdown_at_exit(5s) == 0);
  CHECK(steady::now() - start < 500ms);
  std::lock_guard lock(exp.mutex);
  REQUIRE(exp.export_threads.size() == 4);
  CHECK(exp.export_threads[0] != std::this_thread::get_id());  // the flush: on the worker
  for (std::size_t i = 1; i < 4; ++i) CHECK(exp.export_threads[i] == std::this_thread::get_id());
  CHECK(exp.shutdown_thread == std::this_thread::get_id());
  bp.on_end(make_span());  // after it: dropped and counted, as after shutdown
  CHECK(bp.dropped_spans() == 1);
}

TEST_CASE("shutdown gives up after its timeout when the exporter is stuck", "[trace][batch]") {
  auto store = std::make_shared<span_store>();
  auto exp = std::make_unique<gated_exporter>(store);
  auto gate_mutex = exp->mutex_;
  auto gate_cv = exp->cv_;
  auto gate_open = exp->open_;
  auto o = slow_schedule();
  o.max_export_batch_size = 1;
  {
    batch_processor bp(std::move(exp), o);
    bp.on_end(make_span());
    const auto start = steady::now();
    bp.shutdown(100ms);
    const auto took = steady::now() - start;
    CHECK(took >= 90ms);
    CHECK(took < 1s);
  }
  // Let the detached worker finish so the test leaves no thread behind.
  {
    std::lock_guard lock(*gate_mutex);
    *gate_open = true;
  }
  gate_cv->notify_all();
  CHECK(wait_for_size(*store, 1, 2s));
}

TEST_CASE("OTEL_BSP_* configure the batch processor; bad values warn and keep defaults",
          "[trace][batch]") {
  test::warnings w;
  auto o = batch_options::from_env(test::fake_env({{"OTEL_BSP_SCHEDULE_DELAY", "250"},
                                                   {"OTEL_BSP_EXPORT_TIMEOUT", ""},
                                                   {"OTEL_BSP_MAX_QUEUE_SIZE", "100"},
                                                   {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "10"}}),
                                   w.fn());
  CHECK(o.schedule_delay == 250ms);
  CHECK(o.export_timeout == 30000ms);
  CHECK(o.max_queue_size == 100);
  CHECK(o.max_export_batch_size == 10);
  CHECK(w.lines->empty());

  auto bad = batch_options::from_env(test::fake_env({{"OTEL_BSP_SCHEDULE_DELAY", "-5"},
                                                     {"OTEL_BSP_MAX_QUEUE_SIZE", "lots"},
                                                     {"OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "4096"}}),
                                     w.fn());
  CHECK(bad.schedule_delay == 5000ms);
  CHECK(bad.max_queue_size == 2048);
  CHECK(bad.max_export_batch_size == 2048);
  REQUIRE(w.lines->size() == 3);
  CHECK(w.lines->at(0) ==
        "OTEL_BSP_SCHEDULE_DELAY='-5': a duration cannot be negative; using the default 5000");
  CHECK(w.lines->at(1) ==
        "OTEL_BSP_MAX_QUEUE_SIZE='lots': 'lots' is not a whole number; using the default 2048");
  CHECK(w.lines->at(2) ==
        "OTEL_BSP_MAX_EXPORT_BATCH_SIZE=4096 is larger than OTEL_BSP_MAX_QUEUE_SIZE=2048; "
        "using 2048");
}

namespace {

/// Counts which of its two entry points the processor used.
class in_place_exporter final : public exporter {
 public:
  export_result export_spans(std::span<const span_data> spans) noexcept override {
    contiguous += spans.size();
    return export_result::success;
  }
  std::optional<export_result> export_records(
      std::span<const span_data* const> spans) noexcept override {
    for (const span_data* s : spans) names.push_back(s->name);
    return export_result::success;
  }
  std::size_t contiguous = 0;
  std::vector<std::string> names;
};

}  // namespace

TEST_CASE("an exporter that reads records in place gets pointers, not a contiguous batch",
          "[trace][batch]") {
  auto owned = std::make_unique<in_place_exporter>();
  auto& exp = *owned;
  batch_processor bp(std::move(owned), slow_schedule());
  for (int i = 0; i < 3; ++i) {
    auto s = make_span();
    s->name = "span " + std::to_string(i);
    bp.on_end(std::move(s));
  }
  REQUIRE(bp.force_flush(5s));
  bp.shutdown(5s);  // the worker has joined: its writes are visible here
  CHECK(exp.contiguous == 0);
  CHECK(exp.names == std::vector<std::string>{"span 0", "span 1", "span 2"});
}

TEST_CASE("spans staged by threads, exited or not, are exported on flush in the order they ended",
          "[trace][batch]") {
  auto store = std::make_shared<span_store>();
  batch_processor bp(std::make_unique<in_memory_exporter>(store), slow_schedule());
  std::uint64_t time = 0;
  const auto ended_at = [&](std::string name) {
    auto s = make_span();
    s->name = std::move(name);
    s->end_unix_nano = ++time;
    bp.on_end(std::move(s));
  };
  ended_at("main 1");
  std::thread([&] {  // fewer spans than a thread stages: they wait in its shard
    ended_at("other 1");
    ended_at("other 2");
  })
      .join();
  ended_at("main 2");
  REQUIRE(bp.force_flush(5s));
  std::vector<std::string> names;
  for (const auto& s : store->spans()) names.push_back(s.name);
  CHECK(names == std::vector<std::string>{"main 1", "other 1", "other 2", "main 2"});
  CHECK(bp.dropped_spans() == 0);
  bp.shutdown(5s);
  std::thread([&] { ended_at("after shutdown"); }).join();  // a new thread's shard: closed
  CHECK(bp.dropped_spans() == 1);
  CHECK(store->size() == 4);
}

TEST_CASE("records come back to the thread that ended their spans", "[trace][batch]") {
  auto store = std::make_shared<span_store>();
  batch_processor bp(std::make_unique<in_memory_exporter>(store), slow_schedule());
  std::vector<span_data*> mine;
  for (int i = 0; i < 3; ++i) {
    auto s = make_span();
    mine.push_back(s.get());
    bp.on_end(std::move(s));
  }
  std::thread([&] { bp.on_end(make_span()); }).join();
  REQUIRE(bp.force_flush(5s));
  std::vector<std::unique_ptr<span_data>> out(8);
  const auto n = bp.take_recycled(out);
  REQUIRE(n == 3);  // this thread's three first
  std::vector<span_data*> got;
  for (std::size_t i = 0; i < n; ++i) got.push_back(out[i].get());
  std::sort(got.begin(), got.end());
  std::sort(mine.begin(), mine.end());
  CHECK(got == mine);
  CHECK(bp.take_recycled(out) == 1);  // then the exited thread's, from the shared pool
  CHECK(bp.take_recycled(out) == 0);
}

TEST_CASE("threads staging spans while the worker drains and flushes lose and repeat none",
          "[trace][batch]") {
  // Staging takes no lock (a compare-and-swap per span; the worker's drain swaps in a mark):
  // every span is exported once, through drains every millisecond and flushes from a third
  // thread; and across a shutdown each is exported or counted as dropped.
  auto store = std::make_shared<span_store>();
  batch_options o;
  o.schedule_delay = 1ms;  // the worker drains every shard each millisecond
  o.export_timeout = 5s;
  o.max_queue_size = 1 << 15;
  o.max_export_batch_size = 64;
  batch_processor bp(std::make_unique<in_memory_exporter>(store), o);
  constexpr int per_thread = 5000;
  const auto end_spans = [&](char who, int from, int to) {
    for (int i = from; i < to; ++i) {
      auto s = make_span();
      s->name = std::string(1, who) + std::to_string(i);
      bp.on_end(std::move(s));
    }
  };
  std::atomic<bool> ending{true};
  std::thread flusher([&] {
    while (ending.load()) (void)bp.force_flush(5s);
  });
  std::thread a([&] { end_spans('a', 0, per_thread); });
  std::thread b([&] { end_spans('b', 0, per_thread); });
  a.join();
  b.join();
  ending.store(false);
  flusher.join();
  REQUIRE(bp.force_flush(5s));
  std::set<std::string> names;
  for (const auto& s : store->spans()) names.insert(s.name);
  CHECK(store->size() == 2 * per_thread);
  CHECK(names.size() == 2 * per_thread);
  CHECK(bp.dropped_spans() == 0);

  store->clear();
  std::thread c([&] { end_spans('c', 0, per_thread); });
  std::thread d([&] { end_spans('d', 0, per_thread); });
  std::this_thread::sleep_for(1ms);
  bp.shutdown(5s);
  c.join();
  d.join();
  names.clear();
  for (const auto& s : store->spans()) names.insert(s.name);
  CHECK(names.size() == store->size());
  CHECK(store->size() + bp.dropped_spans() == 2 * per_thread);
}

TEST_CASE(
    "spans are exported once and in the order they ended, across chunks handed over, "
    "drains, flushes and batches that split chunks",
    "[trace][batch]") {
  // A thread hands its spans to the worker a chunk (32) at a time; the worker's drains (every
  // millisecond here) and flushes take the partial chunk a thread is filling; batches of 100
  // split chunks.
  into_memory run(hand_over_options(1ms, 100));
  auto& [store, bp] = run;
  SECTION("four threads at once, end times in the order of ending") {
    constexpr int threads = 4;
    constexpr int per_thread = 3000;
    std::atomic<std::uint64_t> clock{0};
    std::atomic<bool> ending{true};
    std::thread flusher([&] {
      while (ending.load()) (void)bp.force_flush(5s);
    });
    auto enders = end_named_spans(bp, threads, per_thread,
                                  [&clock](int, int) { return clock.fetch_add(1) + 1; });
    for (auto& e : enders) e.join();
    ending.store(false);
    flusher.join();
    REQUIRE(bp.force_flush(5s));
    const auto exported = store->spans();
    std::set<std::string> names;
    for (const auto& s : exported) names.insert(s.name);
    CHECK(store->size() == threads * per_thread);
    CHECK(names.size() == threads * per_thread);
    CHECK(out_of_order(exported, threads) == 0);
    CHECK(bp.dropped_spans() == 0);
  }
  SECTION("one thread, end times backwards: only the order of ending puts them in order") {
    constexpr int spans = 20000;
    // On this thread, which stays: an exiting thread's last spans are handed over without its
    // shard, and a batch holding both is put in order of end time like any that mixes threads.
    for (int i = 0; i < spans; ++i) {
      auto s = make_span();
      s->name = std::to_string(i);
      s->end_unix_nano = static_cast<std::uint64_t>(spans - i);  // backwards: no sort helps
      bp.on_end(std::move(s));
    }
    REQUIRE(bp.force_flush(5s));
    const auto exported = store->spans();
    REQUIRE(exported.size() == spans);
    int expected = 0;
    for (const auto& s : exported) {
      if (s.name != std::to_string(expected)) break;
      ++expected;
    }
    CHECK(expected == spans);
    CHECK(bp.dropped_spans() == 0);
  }
}

TEST_CASE("exported records come back to their thread newest first", "[trace][batch]") {
  auto store = std::make_shared<span_store>();
  batch_processor bp(std::make_unique<in_memory_exporter>(store), slow_schedule());
  std::vector<span_data*> ended;
  for (int i = 0; i < 64; ++i) {  // two whole chunks, handed over as they fill
    auto s = make_span();
    ended.push_back(s.get());
    bp.on_end(std::move(s));
  }
  REQUIRE(bp.force_flush(5s));
  std::vector<std::unique_ptr<span_data>> out(8);
  REQUIRE(bp.take_recycled(out) == 8);
  for (std::size_t i = 0; i < 8; ++i) {
    CHECK(out[i].get() == ended[63 - i]);  // the records most likely still in cache
  }
  std::vector<std::unique_ptr<span_data>> rest(64);
  CHECK(bp.take_recycled(rest) == 56);
}

namespace {

/// Counts the spans named "staged" it is given; discards the rest (keeps up with any load).
class staged_counter final : public exporter {
 public:
  explicit staged_counter(std::shared_ptr<std::atomic<std::size_t>> seen)
      : seen_(std::move(seen)) {}
  export_result export_spans(std::span<const span_data> spans) noexcept override {
    for (const auto& s : spans) count(s);
    return export_result::success;
  }
  std::optional<export_result> export_records(
      std::span<const span_data* const> spans) noexcept override {
    for (const auto* s : spans) count(*s);
    return export_result::success;
  }

 private:
  void count(const span_data& s) noexcept {
    if (s.name == "staged") seen_->fetch_add(1);
  }
  std::shared_ptr<std::atomic<std::size_t>> seen_;
};

}  // namespace

TEST_CASE("a thread's staged spans go out on the schedule while full batches keep the worker busy",
          "[trace][batch]") {
  // Full batches wake the worker without draining the threads' partial chunks; the schedule
  // still drains every shard once per delay, however often full batches come in between.
  auto seen = std::make_shared<std::atomic<std::size_t>>(0);
  batch_processor bp(std::make_unique<staged_counter>(seen), hand_over_options(50ms, 64));
  std::atomic<bool> staged{false};
  std::atomic<bool> done{false};
  std::thread quiet([&] {
    for (int i = 0; i < 3; ++i) {
      auto s = make_span();
      s->name = "staged";
      bp.on_end(std::move(s));
    }
    staged.store(true);
    while (!done.load()) std::this_thread::sleep_for(1ms);  // alive: its shard stays partial
  });
  while (!staged.load()) std::this_thread::yield();
  const auto until = steady::now() + 20s;
  while (steady::now() < until && seen->load() < 3) {
    for (int i = 0; i < 640; ++i) bp.on_end(make_span());  // ten full batches, no pause
  }
  const std::size_t found = seen->load();
  done.store(true);
  quiet.join();
  CHECK(found == 3);
}

TEST_CASE(
    "spans handed over by many threads while the processor shuts down are each exported "
    "or counted as dropped",
    "[trace][batch]") {
  for (int round = 0; round < 5; ++round) {
    into_memory run(hand_over_options(1ms, 50));
    auto& [store, bp] = run;
    constexpr int threads = 4;
    constexpr int per_thread = 2000;
    auto enders = end_named_spans(bp, threads, per_thread, [](int, int) { return 0; });
    std::this_thread::sleep_for(std::chrono::microseconds(200 * round));
    if (round % 2 == 0) {
      bp.shutdown(5s);
    } else {
      (void)bp.shutdown_at_exit(5s);
    }
    for (auto& e : enders) e.join();
    std::set<std::string> names;
    for (const auto& s : store->spans()) names.insert(s.name);
    CHECK(names.size() == store->size());
    CHECK(store->size() + bp.dropped_spans() == threads * per_thread);
  }
}

TEST_CASE("a batch of many threads' chunks is exported in order of end time", "[trace][batch]") {
  // Each thread's chunks are runs in order; the batch merges them (ties keep their order).
  auto store = std::make_shared<span_store>();
  batch_processor bp(std::make_unique<in_memory_exporter>(store), slow_schedule());
  constexpr int threads = 3;
  constexpr int per_thread = 100;  // three whole chunks and a partial one each
  auto enders = end_named_spans(bp, threads, per_thread, [](int t, int i) {
    return static_cast<std::uint64_t>(i * threads + t + 1) / 2;  // ties too
  });
  for (auto& e : enders) e.join();
  REQUIRE(bp.force_flush(5s));
  const auto exported = store->spans();
  REQUIRE(exported.size() == threads * per_thread);
  CHECK(store->batches() == 1);
  CHECK(std::is_sorted(
      exported.begin(), exported.end(),
      [](const span_data& a, const span_data& b) { return a.end_unix_nano < b.end_unix_nano; }));
  CHECK(out_of_order(exported, threads) == 0);
}
