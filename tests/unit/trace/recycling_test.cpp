// Span records are recycled (batch_processor pools exported records, the tracer reuses them
// in place): a new span must never see anything of the span that used the record before.

#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "fixture.hpp"
#include "trace/batch_processor.hpp"
#include "trace/propagation.hpp"

using namespace vmterm::trace;
using namespace std::chrono_literals;

namespace {

constexpr int rounds = 100;  // more than a thread's record cache, so records really cycle

struct batched {
  std::shared_ptr<span_store> store = std::make_shared<span_store>();
  batch_processor* processor = nullptr;
  std::shared_ptr<tracer_provider> provider;

  explicit batched(span_limits limits = {}) {
    tracer_provider_options o;
    batch_options b;
    b.schedule_delay = 60s;
    b.max_export_batch_size = 16;
    auto bp = std::make_unique<batch_processor>(std::make_unique<in_memory_exporter>(store), b);
    processor = bp.get();
    o.processor = std::move(bp);
    o.limits = limits;
    provider = std::make_shared<tracer_provider>(std::move(o));
  }
};

void dirty_span(const tracer& t, const context& parent) {
  span_options o;
  o.kind = span_kind::client;
  o.parent = &parent;
  o.links.push_back(vmterm::trace::link{parent.span, {{"link.attr", std::string("x")}}, 0});
  auto s = t.start_span("a rather long dirty span name", o);
  for (int i = 0; i < 6; ++i) s.set_attribute("dirty.attribute.number." + std::to_string(i), i);
  s.set_attribute("dirty.string.attribute.key", "a long string value that surely allocates");
  s.add_event("dirty event", {{"event.attr", true}});
  s.record_exception("std::runtime_error", "boom");
  s.update_name("renamed dirty span with a long name");
}

}  // namespace

TEST_CASE("a recycled record carries nothing of its previous span", "[trace][recycling]") {
  batched b;
  const auto t = b.provider->get_tracer("dirty", "1");
  context parent;
  parent.span = *parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  parent.span.trace_state = "vendor=value";
  for (int i = 0; i < rounds; ++i) dirty_span(t, parent);
  REQUIRE(b.provider->force_flush());
  b.store->clear();

  const auto clean = b.provider->get_tracer("clean");
  for (int i = 0; i < rounds; ++i) {
    auto s = clean.start_span("clean", span_kind::internal);
    s.set_attribute("only", i);
  }
  REQUIRE(b.provider->force_flush());
  const auto spans = b.store->spans();
  REQUIRE(spans.size() == rounds);
  for (const auto& s : spans) {
    CHECK(s.name == "clean");
    CHECK(s.kind == span_kind::internal);
    CHECK_FALSE(s.parent.valid());
    CHECK_FALSE(s.parent_remote);
    CHECK(s.trace_state.empty());
    REQUIRE(s.attrs.size() == 1);
    CHECK(s.attrs[0].key == "only");
    CHECK(s.events.empty());
    CHECK(s.links.empty());
    CHECK(s.status.code == status_code::unset);
    CHECK(s.status.message.empty());
    CHECK(s.dropped_attributes_count == 0);
    CHECK(s.dropped_events_count == 0);
    CHECK(s.dropped_links_count == 0);
    CHECK(s.end_unix_nano >= s.start_unix_nano);
    REQUIRE(s.scope);
    CHECK(s.scope->name == "clean");
  }
}

TEST_CASE("attributes on a recycled record keep set order, replacement and limits",
          "[trace][recycling]") {
  span_limits limits;
  limits.attribute_count = 3;
  limits.attribute_value_length = 4;
  batched b(limits);
  const auto t = b.provider->get_tracer("t");
  for (int i = 0; i < rounds; ++i) {
    auto s = t.start_span("many");
    for (int k = 0; k < 5; ++k) s.set_attribute("k" + std::to_string(k), "abcdefgh");
  }
  REQUIRE(b.provider->force_flush());
  for (const auto& s : b.store->spans()) {
    CHECK(s.attrs.size() == 3);
    CHECK(s.dropped_attributes_count == 2);
  }
  b.store->clear();
  for (int i = 0; i < rounds; ++i) {
    auto s = t.start_span("few");
    s.set_attribute("k2", 7);
    s.set_attribute("k0", "xy");
    s.set_attribute("k2", "long value");  // replaced in place, truncated to 4 bytes
  }
  REQUIRE(b.provider->force_flush());
  const auto spans = b.store->spans();
  REQUIRE(spans.size() == rounds);
  for (const auto& s : spans) {
    REQUIRE(s.attrs.size() == 2);
    CHECK(s.attrs[0] == attribute{"k2", std::string("long")});
    CHECK(s.attrs[1] == attribute{"k0", std::string("xy")});
    CHECK(s.dropped_attributes_count == 0);
  }
}

TEST_CASE("error.type from a previous span does not stop record_exception setting it",
          "[trace][recycling]") {
  batched b;
  const auto t = b.provider->get_tracer("t");
  for (int i = 0; i < rounds; ++i) {
    auto s = t.start_span("first");
    s.set_attribute("error.type", "old");
  }
  REQUIRE(b.provider->force_flush());
  b.store->clear();
  for (int i = 0; i < rounds; ++i) {
    auto s = t.start_span("second");
    s.record_exception("new_error", "m");
  }
  REQUIRE(b.provider->force_flush());
  for (const auto& s : b.store->spans()) {
    const auto* v = find_attribute(s.attrs, "error.type");
    REQUIRE(v != nullptr);
    CHECK(*v == attribute_value(std::string("new_error")));
  }
}

TEST_CASE("the batch processor hands exported records back, events and links cleared",
          "[trace][recycling]") {
  auto store = std::make_shared<span_store>();
  batch_processor bp(std::make_unique<in_memory_exporter>(store));
  for (int i = 0; i < 10; ++i) {
    auto s = std::make_unique<span_data>();
    s->events.push_back(event{"e", 1, {}, 0});
    s->links.push_back(vmterm::trace::link{});
    bp.on_end(std::move(s));
  }
  REQUIRE(bp.force_flush(5s));
  CHECK(store->size() == 10);
  std::vector<std::unique_ptr<span_data>> out(16);
  const auto n = bp.take_recycled(out);
  CHECK(n == 10);
  for (std::size_t i = 0; i < n; ++i) {
    REQUIRE(out[i]);
    CHECK(out[i]->events.empty());
    CHECK(out[i]->links.empty());
  }
  CHECK(bp.take_recycled(out) == 0);
}

TEST_CASE("spans ended on other threads recycle safely", "[trace][recycling]") {
  batched b;
  const auto t = b.provider->get_tracer("t");
  std::vector<std::thread> threads;
  for (int w = 0; w < 3; ++w) {
    threads.emplace_back([&t, w] {
      for (int i = 0; i < 2000; ++i) {
        auto s = t.start_span("threaded");
        s.set_attribute("worker", w);
        s.set_attribute("i", i);
        if (i % 2 == 0) {
          std::thread([moved = std::move(s)]() mutable { moved.end(); }).join();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  // 3,000 thread starts and exits before this: slow under TSan on a loaded machine.
  REQUIRE(b.provider->force_flush(std::chrono::seconds(60)));
  const auto spans = b.store->spans();
  CHECK(spans.size() + b.processor->dropped_spans() == 6000);
  for (const auto& s : spans) {
    REQUIRE(s.attrs.size() == 2);
    CHECK(s.attrs[0].key == "worker");
    CHECK(s.attrs[1].key == "i");
  }
}
