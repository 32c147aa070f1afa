#include "trace/deferred_processor.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "fixture.hpp"
#include "trace/install.hpp"
#include "trace/provider.hpp"

using namespace vmterm::trace;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<span_data> make_span(const std::string& name, bool sampled = true) {
  auto s = std::make_unique<span_data>();
  s->name.append(name);
  s->flags = sampled ? flag_sampled : 0;
  return s;
}

/// Records which thread exported and what exit_by said; fails every export when told to.
class watching_exporter final : public exporter {
 public:
  struct seen {
    std::vector<std::thread::id> threads;
    std::vector<std::size_t> batch_sizes;
    std::optional<std::chrono::steady_clock::time_point> exit_by;
    bool shut_down = false;
  };
  watching_exporter(std::shared_ptr<seen> s, bool fail) : seen_(std::move(s)), fail_(fail) {}
  export_result export_spans(std::span<const span_data> spans) noexcept override {
    seen_->threads.push_back(std::this_thread::get_id());
    seen_->batch_sizes.push_back(spans.size());
    if (fail_) failed_ += spans.size();
    return fail_ ? export_result::failure : export_result::success;
  }
  void exit_by(std::chrono::steady_clock::time_point deadline) noexcept override {
    seen_->exit_by = deadline;
  }
  void shutdown(std::chrono::milliseconds) noexcept override { seen_->shut_down = true; }
  [[nodiscard]] std::uint64_t failed_spans() const noexcept override { return failed_; }

 private:
  std::shared_ptr<seen> seen_;
  bool fail_;
  std::uint64_t failed_ = 0;
};

/// This process's thread count (Linux: /proc/self/status).
int threads_now() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

}  // namespace

TEST_CASE("the deferred processor keeps spans from any thread and exports them on the flusher's",
          "[trace][deferred]") {
  auto seen = std::make_shared<watching_exporter::seen>();
  deferred_processor p(std::make_unique<watching_exporter>(seen, false));
  p.on_end(make_span("main"));
  p.on_end(make_span("unsampled", false));  // never reaches the exporter
  std::thread other([&p] { p.on_end(make_span("other")); });
  other.join();
  CHECK(seen->batch_sizes.empty());  // nothing exported before a flush
  REQUIRE(p.force_flush(1s));
  REQUIRE(seen->batch_sizes == std::vector<std::size_t>{2});
  CHECK(seen->threads[0] == std::this_thread::get_id());
  // A flush with nothing kept exports nothing.
  REQUIRE(p.force_flush(1s));
  CHECK(seen->batch_sizes.size() == 1);
  p.on_end(make_span("last"));
  p.shutdown(1s);
  CHECK(seen->batch_sizes == std::vector<std::size_t>{2, 1});
  CHECK(seen->shut_down);
  // After shutdown a span is dropped and counted; a second shutdown does nothing.
  p.on_end(make_span("late"));
  CHECK(p.dropped_spans() == 1);
  p.shutdown(1s);
  CHECK(seen->batch_sizes.size() == 2);
}

TEST_CASE("the deferred processor keeps at most max_spans and counts the rest",
          "[trace][deferred]") {
  auto store = std::make_shared<span_store>();
  deferred_processor p(std::make_unique<in_memory_exporter>(store), 3);
  for (int i = 0; i < 5; ++i) p.on_end(make_span("s" + std::to_string(i)));
  CHECK(p.dropped_spans() == 2);
  p.shutdown(1s);
  REQUIRE(store->size() == 3);
  CHECK(store->spans()[0].name == "s0");
  CHECK(store->spans()[2].name == "s2");
  CHECK(store->shut_down());
}

TEST_CASE("shutdown_at_exit tells the exporter the deadline and returns the spans it lost",
          "[trace][deferred]") {
  auto seen = std::make_shared<watching_exporter::seen>();
  deferred_processor p(std::make_unique<watching_exporter>(seen, true), 2);
  for (int i = 0; i < 3; ++i) p.on_end(make_span("s"));  // the third is dropped
  const auto before = std::chrono::steady_clock::now();
  CHECK(p.shutdown_at_exit(200ms) == 2);  // 2 failed; the drop happened before the call
  REQUIRE(seen->exit_by);
  CHECK(*seen->exit_by >= before + 200ms);
  CHECK(*seen->exit_by <= std::chrono::steady_clock::now() + 200ms);
  CHECK(seen->shut_down);
  CHECK(p.shutdown_at_exit(200ms) == 0);  // idempotent
}

TEST_CASE("install with span_delivery::at_exit starts no thread and delivers at shutdown_within",
          "[trace][deferred][install]") {
  test::warnings w;
  auto store = std::make_shared<span_store>();
  const int threads_before = threads_now();
  REQUIRE(threads_before > 0);
  {
    auto inst = install("vmterm-health", std::make_unique<in_memory_exporter>(store),
                        test::fake_env({}), w.fn(), span_delivery::at_exit);
    REQUIRE(inst.enabled());
    CHECK(threads_now() <= threads_before);  // (a detached worker of another test may end)
    get_tracer("vmterm.health").start_span("probe").end();
    CHECK(store->size() == 0);
    CHECK(inst.shutdown_within(100ms) == 0);
    CHECK(store->size() == 1);
    CHECK(store->shut_down());
    CHECK_FALSE(provider::get()->enabled());
  }
  CHECK(store->size() == 1);
  CHECK(w.lines->empty());
}
