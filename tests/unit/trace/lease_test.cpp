// What keeps a recording span's provider alive (tracer.hpp: detail::span_lease): a per-thread
// reference shared by the thread's spans, with no per-span reference count. A span must keep
// its provider alive on any thread it ends on, and a thread must let go of a provider it no
// longer uses. The provider's state is observed through its exporter's destructor.

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "trace/batch_processor.hpp"
#include "trace/tracer.hpp"

using namespace vmterm::trace;

namespace {

/// Counts exported spans; sets `destroyed` when the provider's state is freed.
class watched_exporter final : public exporter {
 public:
  struct flags {
    std::atomic<bool> destroyed{false};
    std::atomic<std::size_t> exported{0};
  };
  explicit watched_exporter(std::shared_ptr<flags> f) : flags_(std::move(f)) {}
  ~watched_exporter() override { flags_->destroyed.store(true); }
  watched_exporter(const watched_exporter&) = delete;
  watched_exporter& operator=(const watched_exporter&) = delete;
  export_result export_spans(std::span<const span_data> spans) noexcept override {
    flags_->exported.fetch_add(spans.size());
    return export_result::success;
  }

 private:
  std::shared_ptr<flags> flags_;
};

struct watched {
  std::shared_ptr<watched_exporter::flags> flags = std::make_shared<watched_exporter::flags>();
  std::shared_ptr<tracer_provider> provider;
  explicit watched(bool batch = false) {
    tracer_provider_options o;
    auto exp = std::make_unique<watched_exporter>(flags);
    if (batch) {
      batch_options b;
      b.max_queue_size = 1 << 14;  // room for every span of the test: none dropped
      o.processor = std::make_unique<batch_processor>(std::move(exp), b);
    } else {
      o.processor = std::make_unique<simple_processor>(std::move(exp));
    }
    provider = std::make_shared<tracer_provider>(std::move(o));
  }
};

}  // namespace

TEST_CASE("a span keeps its provider alive until it ends, on another thread after its own exited",
          "[trace][lease]") {
  watched w;
  std::optional<span> kept;
  std::thread starter([&] {
    const auto t = w.provider->get_tracer("lease");
    { auto done = t.start_span("ended at once"); }
    kept.emplace(t.start_span("open"));
    REQUIRE(kept->is_recording());
  });
  starter.join();      // its thread has let go of the provider; the open span has not
  w.provider.reset();  // shut down: the open span will be dropped, but its state is still needed
  CHECK(w.flags->exported.load() == 1);
  CHECK_FALSE(w.flags->destroyed.load());
  kept->set_attribute("after.shutdown", 1);  // reads the provider's limits
  kept->end();
  CHECK(w.flags->destroyed.load());  // the last span let go of the provider
  CHECK(w.flags->exported.load() == 1);
}

TEST_CASE("a thread lets go of a provider when it uses another one or the provider shut down",
          "[trace][lease]") {
  watched first;
  { auto s = first.provider->get_tracer("first").start_span("one"); }
  first.provider.reset();
  watched second;
  const auto t2 = second.provider->get_tracer("second");
  { auto s = t2.start_span("two"); }
  CHECK(first.flags->destroyed.load());  // this thread's spans now go through `second`

  auto t2_spans = t2.start_span("open while shut down");
  second.provider->shutdown();
  {
    auto s = t2.start_span("after shutdown");
    CHECK_FALSE(s.is_recording());
  }
  second.provider.reset();
  CHECK_FALSE(second.flags->destroyed.load());  // the tracer and the open span hold it
  t2_spans.end();
  CHECK_FALSE(second.flags->destroyed.load());  // the tracer still does
}

TEST_CASE("spans started on one thread and ended on another are all exported", "[trace][lease]") {
  watched w(true);
  constexpr int per_thread = 2000;
  std::vector<span> from_a;
  std::vector<span> from_b;
  from_a.reserve(per_thread);
  from_b.reserve(per_thread);
  {
    const auto t = w.provider->get_tracer("lease");
    std::thread a([&] {
      for (int i = 0; i < per_thread; ++i) from_a.push_back(t.start_span("a"));
    });
    std::thread b([&] {
      for (int i = 0; i < per_thread; ++i) from_b.push_back(t.start_span("b"));
    });
    a.join();
    b.join();
    // Each thread ends the other's spans, while it starts and ends spans of its own.
    std::thread end_a([&] {
      for (auto& s : from_b) {
        s.end();
        auto own = t.start_span("own");
      }
    });
    std::thread end_b([&] {
      for (auto& s : from_a) {
        s.end();
        auto own = t.start_span("own");
      }
    });
    end_a.join();
    end_b.join();
  }
  REQUIRE(w.provider->force_flush());
  CHECK(w.flags->exported.load() == 4 * per_thread);
  w.provider.reset();
  CHECK(w.flags->destroyed.load());  // every thread that used it has exited
}

TEST_CASE("a span made from a tracer state and a record records until it ends", "[trace][lease]") {
  auto data = std::make_unique<span_data>();
  data->name = "built";
  data->flags = flag_sampled;
  auto state = std::make_shared<detail::tracer_state>();
  state->provider = std::make_shared<detail::provider_state>();
  span s(span_context{}, std::move(data), state);
  CHECK(s.is_recording());
  s.end();
  CHECK_FALSE(s.is_recording());
}
