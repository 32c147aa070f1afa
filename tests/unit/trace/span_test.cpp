#include "trace/span.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>
#include <thread>

#include "fixture.hpp"
#include "trace/context.hpp"
#include "trace/tracer.hpp"

using namespace vmterm::trace;

TEST_CASE("a span records name, kind, times from the clock, scope and attributes",
          "[trace][span]") {
  test::recording rec;
  auto t = rec.get();
  {
    auto s = t.start_span("GET /", span_kind::server);
    REQUIRE(s.is_recording());
    CHECK(s.context().valid());
    CHECK(s.context().sampled());
    s.set_attribute("http.request.method", "GET")
        .set_attribute("http.response.status_code", 200)
        .set_attribute("ok", true)
        .set_attribute("ratio", 0.5)
        .set_attribute("name", std::string("x"))
        .set_attribute("tags", std::vector<std::string>{"a", "b"})
        .set_attribute("", "ignored");
    rec.clock.advance_ns(1500);
  }
  auto spans = rec.store->spans();
  REQUIRE(spans.size() == 1);
  const auto& d = spans[0];
  CHECK(d.name == "GET /");
  CHECK(d.kind == span_kind::server);
  CHECK(d.end_unix_nano - d.start_unix_nano == 1500);
  CHECK_FALSE(d.parent.valid());
  REQUIRE(d.scope);
  CHECK(d.scope->name == "test");
  CHECK(d.scope->version == "1.0");
  REQUIRE(d.attrs.size() == 6);
  CHECK(*find_attribute(d.attrs, "http.request.method") == attribute_value(std::string("GET")));
  CHECK(*find_attribute(d.attrs, "http.response.status_code") ==
        attribute_value(std::int64_t{200}));
  CHECK(*find_attribute(d.attrs, "ok") == attribute_value(true));
  CHECK(*find_attribute(d.attrs, "ratio") == attribute_value(0.5));
  CHECK(*find_attribute(d.attrs, "tags") == attribute_value(std::vector<std::string>{"a", "b"}));
}

TEST_CASE("setting an existing key replaces its value in place", "[trace][span]") {
  test::recording rec;
  {
    auto s = rec.get().start_span("x");
    s.set_attribute("a", 1).set_attribute("b", 2).set_attribute("a", 3);
  }
  const auto d = rec.store->spans().at(0);
  REQUIRE(d.attrs.size() == 2);
  CHECK(d.attrs[0].key == "a");
  CHECK(d.attrs[0].value == attribute_value(std::int64_t{3}));
}

TEST_CASE("children of the current context share its trace; scopes restore the previous",
          "[trace][span][context]") {
  test::recording rec;
  auto t = rec.get();
  CHECK_FALSE(current_context().span.valid());
  auto parent = t.start_span("parent");
  {
    context_scope scope(context{parent.context(), "k=v"});
    auto child = t.start_span("child");
    CHECK(child.context().trace == parent.context().trace);
    CHECK(current_context().baggage == "k=v");
    child.end();
    span_options root_opts;
    root_opts.new_root = true;
    auto root = t.start_span("root", root_opts);
    CHECK(root.context().trace != parent.context().trace);
  }
  CHECK_FALSE(current_context().span.valid());
  parent.end();
  auto spans = rec.store->spans();
  REQUIRE(spans.size() == 3);
  CHECK(spans[0].name == "child");
  CHECK(spans[0].parent == parent.context().span);
  CHECK_FALSE(spans[1].parent.valid());
}

TEST_CASE("an explicit context value parents async work; remote parents are marked",
          "[trace][span][context]") {
  test::recording rec;
  context remote;
  remote.span.trace = *trace_id::from_hex("4bf92f3577b34da6a3ce929d0e0e4736");
  remote.span.span = *span_id::from_hex("00f067aa0ba902b7");
  remote.span.flags = flag_sampled;
  remote.span.trace_state = "v=1";
  remote.span.remote = true;
  {
    auto s = rec.get().start_span("handler", remote, span_kind::consumer);
    CHECK(s.context().trace_state == "v=1");
  }
  const auto d = rec.store->spans().at(0);
  CHECK(d.trace == remote.span.trace);
  CHECK(d.parent == remote.span.span);
  CHECK(d.parent_remote);
  CHECK(d.trace_state == "v=1");
  CHECK(d.kind == span_kind::consumer);
}

TEST_CASE("an unsampled parent gives a non-recording child that still propagates",
          "[trace][span][sampler]") {
  test::recording rec;
  context parent;
  parent.span.trace = *trace_id::from_hex("4bf92f3577b34da6a3ce929d0e0e4736");
  parent.span.span = *span_id::from_hex("00f067aa0ba902b7");
  parent.span.flags = 0;
  auto s = rec.get().start_span("x", parent);
  CHECK_FALSE(s.is_recording());
  CHECK(s.context().valid());
  CHECK_FALSE(s.context().sampled());
  CHECK(s.context().trace == parent.span.trace);
  s.set_attribute("a", 1).add_event("e").record_exception("t", "m");
  s.end();
  CHECK(rec.store->size() == 0);
}

TEST_CASE("a no-op tracer passes its parent's context through", "[trace][span]") {
  tracer noop;
  context parent;
  parent.span.trace = *trace_id::from_hex("4bf92f3577b34da6a3ce929d0e0e4736");
  parent.span.span = *span_id::from_hex("00f067aa0ba902b7");
  auto s = noop.start_span("x", parent);
  CHECK_FALSE(s.is_recording());
  CHECK(s.context().span == parent.span.span);
  CHECK_FALSE(noop.enabled());
}

TEST_CASE("record_exception adds the exception event, error.type and error status",
          "[trace][span]") {
  test::recording rec;
  {
    auto s = rec.get().start_span("x");
    s.record_exception(std::runtime_error("disk full"));
  }
  const auto d = rec.store->spans().at(0);
  CHECK(d.status.code == status_code::error);
  CHECK(d.status.message == "disk full");
  REQUIRE(d.events.size() == 1);
  CHECK(d.events[0].name == "exception");
  CHECK(*find_attribute(d.events[0].attrs, "exception.type") ==
        attribute_value(std::string("std::runtime_error")));
  CHECK(*find_attribute(d.events[0].attrs, "exception.message") ==
        attribute_value(std::string("disk full")));
  CHECK(*find_attribute(d.attrs, "error.type") ==
        attribute_value(std::string("std::runtime_error")));
}

TEST_CASE("status: unset is ignored, ok is final, messages only with error", "[trace][span]") {
  test::recording rec;
  {
    auto s = rec.get().start_span("a");
    s.set_status(status_code::error, "bad").set_status(status_code::unset);
  }
  {
    auto s = rec.get().start_span("b");
    s.set_status(status_code::ok, "ignored").set_status(status_code::error, "late");
  }
  auto spans = rec.store->spans();
  CHECK(spans[0].status == status{status_code::error, "bad"});
  CHECK(spans[1].status == status{status_code::ok, ""});
}

TEST_CASE("events and links are recorded with their attributes", "[trace][span]") {
  test::recording rec;
  span_context other;
  other.trace = *trace_id::from_hex("4bf92f3577b34da6a3ce929d0e0e4736");
  other.span = *span_id::from_hex("00f067aa0ba902b7");
  {
    span_options o;
    o.links.push_back(
        vmterm::trace::link{other, {{"opentracing.ref_type", std::string("follows_from")}}, 0});
    auto s = rec.get().start_span("x", o);
    rec.clock.advance_ns(10);
    s.add_event("resize", {{"cols", std::int64_t{80}}});
    s.add_event("at", {}, 42);
    s.add_link(span_context{});  // invalid: ignored
  }
  const auto d = rec.store->spans().at(0);
  REQUIRE(d.events.size() == 2);
  CHECK(d.events[0].time_unix_nano == d.start_unix_nano + 10);
  CHECK(d.events[1].time_unix_nano == 42);
  REQUIRE(d.links.size() == 1);
  CHECK(d.links[0].context.span == other.span);
}

TEST_CASE("limits truncate values and count dropped attributes, events and links",
          "[trace][span][limits]") {
  span_limits l;
  l.attribute_value_length = 4;
  l.attribute_count = 2;
  l.event_count = 1;
  l.link_count = 1;
  l.event_attribute_count = 1;
  l.link_attribute_count = 0;
  test::recording rec(l);
  span_context other;
  other.trace.bytes[0] = 1;
  other.span.bytes[0] = 1;
  {
    auto s = rec.get().start_span("x");
    s.set_attribute("a", "abcdefgh").set_attribute("b", "abc\xc3\xa9");  // é is 2 bytes
    s.set_attribute("c", 1).set_attribute("d", 2).set_attribute("a", "xy");
    s.add_event("e1", {{"k1", std::int64_t{1}}, {"k2", std::int64_t{2}}}).add_event("e2");
    s.add_link(other, {{"k", true}}).add_link(other);
  }
  const auto d = rec.store->spans().at(0);
  REQUIRE(d.attrs.size() == 2);
  CHECK(d.attrs[0].value == attribute_value(std::string("xy")));
  CHECK(d.attrs[1].value == attribute_value(std::string("abc")));
  CHECK(d.dropped_attributes_count == 2);
  REQUIRE(d.events.size() == 1);
  CHECK(d.events[0].attrs.size() == 1);
  CHECK(d.events[0].dropped_attributes_count == 1);
  CHECK(d.dropped_events_count == 1);
  REQUIRE(d.links.size() == 1);
  CHECK(d.links[0].dropped_attributes_count == 1);
  CHECK(d.dropped_links_count == 1);
}

TEST_CASE("limits come from OTEL_*_LIMIT with span-specific variables winning", "[trace][limits]") {
  test::warnings w;
  auto l = span_limits::from_env(test::fake_env({{"OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "10"},
                                                 {"OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "20"},
                                                 {"OTEL_ATTRIBUTE_COUNT_LIMIT", "7"},
                                                 {"OTEL_SPAN_EVENT_COUNT_LIMIT", "3"},
                                                 {"OTEL_SPAN_LINK_COUNT_LIMIT", ""},
                                                 {"OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", "x"}}),
                                 w.fn());
  CHECK(l.attribute_value_length == 20);
  CHECK(l.attribute_count == 7);
  CHECK(l.event_count == 3);
  CHECK(l.link_count == 128);
  CHECK(l.event_attribute_count == 7);
  CHECK(l.link_attribute_count == 7);
  REQUIRE(w.lines->size() == 1);
  CHECK(w.lines->at(0) ==
        "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT='x': 'x' is not a whole number; using the default 128");
  auto d = span_limits::from_env(test::fake_env({}), w.fn());
  CHECK(d.attribute_count == 128);
  CHECK(d.attribute_value_length == std::numeric_limits<std::size_t>::max());
}

TEST_CASE("a span can be moved to and ended on another thread", "[trace][span]") {
  test::recording rec;
  auto s = rec.get().start_span("async");
  const auto id = s.context().span;
  std::thread th([moved = std::move(s)]() mutable {
    moved.set_attribute("thread", "worker");
    moved.end();
  });
  th.join();
  auto spans = rec.store->spans();
  REQUIRE(spans.size() == 1);
  CHECK(spans[0].span == id);
  CHECK(find_attribute(spans[0].attrs, "thread") != nullptr);
}

TEST_CASE("end is idempotent and move-assignment ends the overwritten span", "[trace][span]") {
  test::recording rec;
  auto t = rec.get();
  auto a = t.start_span("a");
  a.end();
  a.end();
  CHECK(rec.store->size() == 1);
  a = t.start_span("b");
  a = t.start_span("c");
  CHECK(rec.store->size() == 2);
  a.end();
  CHECK(rec.store->size() == 3);
}

TEST_CASE("a shut-down provider records nothing", "[trace][span]") {
  test::recording rec;
  auto t = rec.get();
  rec.provider->shutdown();
  CHECK_FALSE(t.enabled());
  auto s = t.start_span("late");
  CHECK_FALSE(s.is_recording());
}

TEST_CASE("ids are random and never zero; new traces set the random-trace-id flag",
          "[trace][span]") {
  test::recording rec(span_limits{}, std::make_unique<always_off_sampler>());
  auto t = rec.get();
  auto a = t.start_span("a");
  auto b = t.start_span("b");
  CHECK(a.context().trace.valid());
  CHECK(a.context().span.valid());
  CHECK(a.context().trace != b.context().trace);
  CHECK(a.context().flags == 0x02);
}
