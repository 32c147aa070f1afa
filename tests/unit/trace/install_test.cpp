#include "trace/install.hpp"

#include <catch2/catch.hpp>
#include <chrono>

#include "core/log.hpp"
#include "fixture.hpp"
#include "trace/provider.hpp"
#include "trace/traced.hpp"

using namespace vmterm::trace;
using namespace std::chrono_literals;

namespace {
constexpr const char* caller_tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
}

TEST_CASE("install sets the global provider and its destructor delivers every span at once",
          "[trace][install]") {
  test::warnings w;
  auto store = std::make_shared<span_store>();
  const auto start = std::chrono::steady_clock::now();
  {
    auto inst = install("vmterm-health", std::make_unique<in_memory_exporter>(store),
                        test::fake_env({{"OTEL_BSP_SCHEDULE_DELAY", "60000"}}), w.fn());
    REQUIRE(inst.enabled());
    CHECK(provider::get() == inst.provider());
    auto s = get_tracer("vmterm.health").start_span("probe");
    s.end();
    CHECK(store->size() == 0);  // still queued: the schedule delay is a minute
  }
  CHECK(std::chrono::steady_clock::now() - start < 1s);
  REQUIRE(store->size() == 1);
  const auto d = store->spans()[0];
  REQUIRE(d.resource);
  CHECK(*find_attribute(d.resource->attrs, "service.name") ==
        attribute_value(std::string("vmterm-health")));
  CHECK(store->shut_down());
  CHECK_FALSE(provider::get()->enabled());
  CHECK(w.lines->empty());
}

TEST_CASE("a tool started with TRACEPARENT continues the caller's trace", "[trace][install]") {
  test::warnings w;
  auto store = std::make_shared<span_store>();
  auto inst = install("tool", std::make_unique<in_memory_exporter>(store),
                      test::fake_env({{"TRACEPARENT", caller_tp}, {"TRACESTATE", "x=1"}}), w.fn());
  { auto s = get_tracer("t").start_span("root"); }
  CHECK(inst.force_flush(5s));
  REQUIRE(store->size() == 1);
  const auto d = store->spans()[0];
  CHECK(d.trace.hex() == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(d.parent.hex() == "00f067aa0ba902b7");
  CHECK(d.parent_remote);
  CHECK(d.trace_state == "x=1");
  inst.shutdown();
  inst.shutdown();  // idempotent
  CHECK_FALSE(inst.enabled());
}

TEST_CASE("OTEL_SDK_DISABLED=true or no exporter leaves tracing off", "[trace][install]") {
  test::warnings w;
  auto off = install("tool", std::make_unique<in_memory_exporter>(),
                     test::fake_env({{"OTEL_SDK_DISABLED", "TRUE"}}), w.fn());
  CHECK_FALSE(off.enabled());
  CHECK_FALSE(provider::get()->enabled());
  CHECK(off.force_flush());
  auto none = install("tool", nullptr, test::fake_env({}), w.fn());
  CHECK_FALSE(none.enabled());
  auto odd = install("tool", nullptr, test::fake_env({{"OTEL_SDK_DISABLED", "maybe"}}), w.fn());
  REQUIRE(w.lines->size() == 1);
  CHECK(w.lines->at(0) ==
        "OTEL_SDK_DISABLED='maybe': expected true or false; using the default false");
}

TEST_CASE("install reads the sampler and limits from the environment", "[trace][install]") {
  test::warnings w;
  auto store = std::make_shared<span_store>();
  auto inst = install("tool", std::make_unique<in_memory_exporter>(store),
                      test::fake_env({{"OTEL_TRACES_SAMPLER", "always_off"},
                                      {"OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "1"}}),
                      w.fn());
  auto s = get_tracer("t").start_span("x");
  CHECK_FALSE(s.is_recording());
  CHECK(inst.dropped_spans() == 0);
}

TEST_CASE("install registers the log-correlation source and removes it at shutdown",
          "[trace][install]") {
  auto inst = install("tool", std::make_unique<in_memory_exporter>(), test::fake_env({}),
                      test::warnings{}.fn());
  CHECK(current_span_ids().trace_id.empty());
  {
    auto s = VMTERM_TRACE_FUNCTION();
    const auto ids = current_span_ids();
    CHECK(ids.trace_id == s->context().trace.hex());
    CHECK(ids.span_id == s->context().span.hex());
  }
  CHECK(current_span_ids().span_id.empty());
  inst.shutdown();
}

TEST_CASE("moving an installation transfers ownership", "[trace][install]") {
  auto store = std::make_shared<span_store>();
  auto a = install("tool", std::make_unique<in_memory_exporter>(store), test::fake_env({}),
                   test::warnings{}.fn());
  installation b = std::move(a);
  CHECK(b.enabled());
  CHECK(provider::get() == b.provider());
  { auto s = get_tracer("t").start_span("x"); }
  b = installation{};  // shuts down what it held
  CHECK(store->size() == 1);
  CHECK_FALSE(provider::get()->enabled());
}
