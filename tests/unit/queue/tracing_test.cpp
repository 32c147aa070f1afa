// Tracing across the queue as opentelemetry-instrumentation-celery: names, the parent from the
// message's traceparent, attributes, and never an argument value.
#include <catch2/catch.hpp>
#include <variant>

#include "queue/tracing.hpp"
#include "trace/in_memory_exporter.hpp"
#include "trace/processor.hpp"
#include "trace/propagation.hpp"
#include "trace/tracer.hpp"
#include "with_propagators.hpp"

using namespace vmterm;
using namespace vmterm::queue;

namespace {
struct recorder {
  std::shared_ptr<trace::span_store> store = std::make_shared<trace::span_store>();
  std::shared_ptr<trace::tracer_provider> provider;
  recorder() {
    trace::tracer_provider_options o;
    o.processor = std::make_unique<trace::simple_processor>(
        std::make_unique<trace::in_memory_exporter>(store));
    provider = std::make_shared<trace::tracer_provider>(std::move(o));
  }
};

std::string str(const trace::span_data& s, std::string_view key) {
  auto* v = trace::find_attribute(s.attrs, key);
  if (v == nullptr) return "<absent>";
  if (auto* p = std::get_if<std::string>(v)) return *p;
  if (auto* i = std::get_if<std::int64_t>(v)) return std::to_string(*i);
  return "<other>";
}

task_message message() {
  task_message m;
  m.task = "app.add";
  m.id = "id-1";
  m.args = json::array({"secret-arg", 3});
  m.kwargs = json::object({{"password", "hunter2"}});
  m.argsrepr = "('secret-arg', 3)";
  m.kwargsrepr = "{'password': 'hunter2'}";
  m.routing_key = "jobs";
  m.retries = 2;
  m.time_limit = 30;
  m.soft_time_limit = 20;
  m.origin = "gen1@vm";
  m.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  return m;
}
}  // namespace

TEST_CASE("span names follow the instrumentation", "[queue][tracing]") {
  CHECK(producer_span_name("app.add") == "apply_async/app.add");
  CHECK(consumer_span_name("app.add") == "run/app.add");
}

TEST_CASE("the run span continues the message's traceparent", "[queue][tracing]") {
  auto m = message();
  auto parent = extract_parent(m);
  REQUIRE(parent.span.valid());
  CHECK(parent.span.trace.hex() == "0af7651916cd43dd8448eb211c80319c");
  CHECK(parent.span.span.hex() == "b7ad6b7169203331");
  CHECK(parent.span.remote);

  m.traceparent = "garbage";
  CHECK_FALSE(extract_parent(m).span.valid());  // a new root
  m.traceparent.clear();
  CHECK_FALSE(extract_parent(m).span.valid());
}

TEST_CASE("inject writes the producer span's context into the headers", "[queue][tracing]") {
  recorder r;
  auto t = r.provider->get_tracer("vmterm.queue");
  auto s = t.start_span("apply_async/app.add", trace::span_kind::producer);
  task_message m;
  inject(trace::context{s.context(), "k=v"}, m);
  CHECK(m.traceparent == trace::format_traceparent(s.context()));
  CHECK(m.baggage == "k=v");
  auto enc = encode_message(m);
  CHECK(enc.find(R"("traceparent": ")" + m.traceparent + "\"") != std::string::npos);
}

TEST_CASE("consumer attributes as celery.md §3 lists them, no argument values",
          "[queue][tracing]") {
  recorder r;
  auto t = r.provider->get_tracer("vmterm.queue");
  auto m = message();
  {
    auto parent = extract_parent(m);
    auto s = t.start_span(consumer_span_name(m.task), parent, trace::span_kind::consumer);
    set_consumer_attributes(s, m);
    task_exception e{"ValueError", "builtins", json::array({"boom"})};
    set_outcome(s, task_state::failure, &e);
  }
  auto spans = r.store->spans();
  REQUIRE(spans.size() == 1);
  const auto& s = spans[0];
  CHECK(s.name == "run/app.add");
  CHECK(s.kind == trace::span_kind::consumer);
  CHECK(s.parent.hex() == "b7ad6b7169203331");
  CHECK(str(s, "celery.action") == "run");
  CHECK(str(s, "celery.task_name") == "app.add");
  CHECK(str(s, "messaging.message.id") == "id-1");
  CHECK(str(s, "messaging.destination") == "jobs");
  CHECK(str(s, "celery.retries") == "2");
  CHECK(str(s, "celery.hostname") == "gen1@vm");
  CHECK(str(s, "celery.state") == "FAILURE");
  auto* tl = trace::find_attribute(s.attrs, "celery.timelimit");
  REQUIRE(tl);
  CHECK(std::get<std::vector<std::string>>(*tl) == std::vector<std::string>{"30", "20"});
  CHECK(s.status.code == trace::status_code::error);
  REQUIRE(s.events.size() == 1);
  CHECK(s.events[0].name == "exception");
  // no argument value anywhere in the span
  for (const auto& a : s.attrs) {
    INFO(a.key);
    if (auto* p = std::get_if<std::string>(&a.value)) {
      CHECK(p->find("secret-arg") == std::string::npos);
      CHECK(p->find("hunter2") == std::string::npos);
    }
  }
}

TEST_CASE("producer attributes", "[queue][tracing]") {
  recorder r;
  auto t = r.provider->get_tracer("vmterm.queue");
  {
    auto s = t.start_span("apply_async/app.add", trace::span_kind::producer);
    set_producer_attributes(s, message());
    set_outcome(s, task_state::success);
  }
  auto spans = r.store->spans();
  REQUIRE(spans.size() == 1);
  CHECK(str(spans[0], "celery.action") == "apply_async");
  CHECK(str(spans[0], "celery.task_name") == "app.add");
  CHECK(str(spans[0], "messaging.message.id") == "id-1");
  CHECK(str(spans[0], "messaging.destination") == "jobs");
  CHECK(spans[0].status.code != trace::status_code::error);
}

TEST_CASE("with OTEL_PROPAGATORS=jaeger a task joins the trace of its uber-trace-id header",
          "[queue][tracing]") {
  test::with_propagators p("tracecontext,jaeger");
  auto m = message();
  m.traceparent.clear();
  m.extra_headers = json::object({{"uber-trace-id", "5a3c1b:7f8e9d0c1b2a3948:0:1"},
                                  {"uberctx-tenant", "acme"},
                                  {"other", "kept"}});
  const auto parent = extract_parent(m);
  REQUIRE(parent.span.valid());
  CHECK(parent.span.trace.hex() == "000000000000000000000000005a3c1b");
  CHECK(parent.span.span.hex() == "7f8e9d0c1b2a3948");
  CHECK(parent.span.sampled());
  CHECK(parent.baggage == "tenant=acme");
}

TEST_CASE("with OTEL_PROPAGATORS=b3multi a task joins the trace of its X-B3 headers, any case",
          "[queue][tracing]") {
  test::with_propagators p("b3multi");
  auto m = message();  // its traceparent is not read: tracecontext is not configured
  m.extra_headers = json::object({{"X-B3-TraceId", "463ac35c9f6413ad48485a3953bb6124"},
                                  {"X-B3-SpanId", "a2fb4a1d1a96d312"},
                                  {"X-B3-Sampled", "1"}});
  const auto parent = extract_parent(m);
  REQUIRE(parent.span.valid());
  CHECK(parent.span.trace.hex() == "463ac35c9f6413ad48485a3953bb6124");
  CHECK(parent.span.span.hex() == "a2fb4a1d1a96d312");
}

TEST_CASE("inject writes every configured format into the headers and drops a previous hop's",
          "[queue][tracing]") {
  test::with_propagators p("tracecontext,b3,jaeger");
  auto m = message();
  m.extra_headers = json::object({{"X-B3-TraceId", "463ac35c9f6413ad48485a3953bb6124"},
                                  {"uber-trace-id", "1:2:0:1"},
                                  {"other", "kept"}});
  trace::context ctx;
  ctx.span.trace = *trace::trace_id::from_hex("4bf92f3577b34da6a3ce929d0e0e4736");
  ctx.span.span = *trace::span_id::from_hex("00f067aa0ba902b7");
  ctx.span.flags = trace::flag_sampled;
  inject(ctx, m);
  CHECK(m.traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  CHECK(m.extra_headers.value("b3", "") == "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1");
  CHECK(m.extra_headers.value("uber-trace-id", "") ==
        "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1");
  CHECK_FALSE(m.extra_headers.contains("X-B3-TraceId"));
  CHECK(m.extra_headers.value("other", "") == "kept");
  // The round trip: what was injected is what the next hop extracts.
  const auto back = extract_parent(m);
  CHECK(back.span.trace == ctx.span.trace);
  CHECK(back.span.span == ctx.span.span);
  // And the headers survive the Celery message encoding.
  const auto wire = encode_message(m);
  CHECK(wire.find("\"b3\": \"4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1\"") !=
        std::string::npos);
}
