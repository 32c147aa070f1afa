#include "metrics/registry.hpp"
#include "redis_harness.hpp"
#include "redis_server.hpp"
#include "trace/context.hpp"
#include "trace/in_memory_exporter.hpp"
#include "trace/processor.hpp"
#include "trace/tracer.hpp"

using namespace vmterm;
using namespace vmterm::test;
using redis::command;
using redis::reply;

namespace {

struct telemetry {
  telemetry() {
    trace::tracer_provider_options popt;
    popt.processor = std::make_unique<trace::simple_processor>(
        std::make_unique<trace::in_memory_exporter>(store));
    provider = std::make_unique<trace::tracer_provider>(std::move(popt));
  }
  redis::connection_options options(const std::string& url) {
    auto o = redis_options(url);
    o.tracer = provider->get_tracer("vmterm.redis");
    o.metrics = &registry;
    return o;
  }
  std::vector<trace::span_data> named(std::string_view name) const {
    std::vector<trace::span_data> out;
    for (auto& s : store->spans()) {
      if (s.name == name) out.push_back(s);
    }
    return out;
  }
  std::shared_ptr<trace::span_store> store = std::make_shared<trace::span_store>();
  std::unique_ptr<trace::tracer_provider> provider;
  metrics::registry registry;
};

std::string attr(const trace::span_data& s, std::string_view key) {
  const auto* v = trace::find_attribute(s.attrs, key);
  if (v == nullptr) return "<none>";
  if (const auto* str = std::get_if<std::string>(v)) return *str;
  if (const auto* i = std::get_if<std::int64_t>(v)) return std::to_string(*i);
  return "<other>";
}

/// Every string anywhere in a span: name, attributes, events, status.
std::string everything(const trace::span_data& s) {
  std::string out = s.name + "\n" + s.status.message + "\n";
  const auto add = [&out](const trace::attributes& attrs) {
    for (const auto& a : attrs) {
      out += a.key + "=";
      if (const auto* str = std::get_if<std::string>(&a.value)) out += *str;
      if (const auto* v = std::get_if<std::vector<std::string>>(&a.value)) {
        for (const auto& e : *v) out += e + ",";
      }
      out += "\n";
    }
  };
  add(s.attrs);
  for (const auto& e : s.events) {
    out += e.name + "\n";
    add(e.attrs);
  }
  return out;
}

}  // namespace

TEST_CASE("exec is one CLIENT span under the caller's span, with the semconv attributes",
          "[integration][redis][trace]") {
  redis_server server;
  telemetry t;
  redis_loop loop;
  auto c = loop.open(t.options(server.url(2)));
  t.store->clear();
  auto parent = t.provider->get_tracer("test").start_span("GET /health-check/");
  std::optional<expected<reply>> out;
  std::uint_least32_t line = 0;
  {
    trace::context_scope scope(trace::context{parent.context(), {}});
    line = __LINE__ + 1;
    c->exec({"SET", "user:1", "a value"}, [&](expected<reply> r) { out = std::move(r); });
  }
  REQUIRE(loop.run_until([&] { return out.has_value(); }));
  parent.end();
  const auto spans = t.named("SET");
  REQUIRE(spans.size() == 1);
  const auto& s = spans[0];
  CHECK(s.kind == trace::span_kind::client);
  CHECK(s.parent == parent.context().span);
  CHECK(s.trace == parent.context().trace);
  CHECK(attr(s, "db.system.name") == "redis");
  CHECK(attr(s, "db.namespace") == "2");
  CHECK(attr(s, "db.operation.name") == "SET");
  CHECK(attr(s, "db.query.text") == "SET ? ?");
  CHECK(attr(s, "server.address") == "127.0.0.1");
  CHECK(attr(s, "server.port") == std::to_string(server.port()));
  CHECK(attr(s, "db.operation.batch.size") == "<none>");
  CHECK_THAT(attr(s, "code.function.name"), Catch::Contains("C_A_T_C_H_T_E_S_T"));
  CHECK_THAT(attr(s, "code.file.path"), Catch::EndsWith("telemetry_test.cpp"));
  CHECK(attr(s, "code.line.number") == std::to_string(line));
  CHECK(s.status.code == trace::status_code::unset);
}

TEST_CASE("a failed command's span has error status with Redis's words",
          "[integration][redis][trace]") {
  redis_server server;
  telemetry t;
  redis_loop loop;
  auto c = loop.open(t.options(server.url()));
  REQUIRE(loop.exec(*c, {"SET", "s", "x"}));
  REQUIRE_FALSE(loop.exec(*c, {"LPUSH", "s", "y"}));
  const auto spans = t.named("LPUSH");
  REQUIRE(spans.size() == 1);
  CHECK(spans[0].status.code == trace::status_code::error);
  CHECK(spans[0].status.message ==
        "WRONGTYPE Operation against a key holding the wrong kind of value");
  CHECK(attr(spans[0], "db.response.status_code") == "WRONGTYPE");
  CHECK(attr(spans[0], "error.type") == "WRONGTYPE");
}

TEST_CASE("a pipeline is one span with its batch size, and eval is one EVALSHA span",
          "[integration][redis][trace]") {
  redis_server server;
  telemetry t;
  redis_loop loop;
  auto c = loop.open(t.options(server.url()));
  t.store->clear();
  REQUIRE(loop.pipeline(*c, {{"RPUSH", "q", "1"}, {"RPUSH", "q", "2"}, {"RPUSH", "q", "3"}}));
  REQUIRE(loop.pipeline(*c, {{"MULTI"}, {"INCR", "n"}, {"EXEC"}}));
  REQUIRE(loop.pipeline(*c, {{"GET", "a"}, {"SET", "b", "c"}}));
  CHECK(t.store->size() == 3);
  const auto same = t.named("PIPELINE RPUSH");
  REQUIRE(same.size() == 1);
  CHECK(attr(same[0], "db.operation.batch.size") == "3");
  CHECK(attr(same[0], "db.query.text") == "RPUSH ? ?\nRPUSH ? ?\nRPUSH ? ?");
  CHECK(same[0].kind == trace::span_kind::client);
  REQUIRE(t.named("MULTI").size() == 1);
  CHECK(attr(t.named("MULTI")[0], "db.query.text") == "MULTI\nINCR ?\nEXEC");
  REQUIRE(t.named("PIPELINE").size() == 1);

  t.store->clear();
  const redis::script s("take_batch", "return ARGV[1]");
  REQUIRE(loop.exec(*c, {"SCRIPT", "FLUSH"}));
  REQUIRE(loop.eval(*c, s, {"k"}, {"v"}));
  const auto evals = t.named("EVALSHA");
  REQUIRE(evals.size() == 1);  // NOSCRIPT + SCRIPT LOAD + EVALSHA: still one span
  CHECK(attr(evals[0], "db.stored_procedure.name") == "take_batch");
  CHECK(attr(evals[0], "db.query.text") == "EVALSHA ? ? ? ?");
  REQUIRE(evals[0].events.size() == 1);
  CHECK(evals[0].events[0].name == "redis.script.load");
}

TEST_CASE("no argument value, password or key (unless asked) appears in any span or metric",
          "[integration][redis][trace]") {
  redis_server server({{"--requirepass", "PASSWORD-9"}});
  telemetry t;
  redis_loop loop;
  const auto url = "redis://:PASSWORD-9@127.0.0.1:" + std::to_string(server.port()) + "/0";
  auto c = loop.open(t.options(url));
  REQUIRE(loop.exec(*c, {"SET", "KEY-1", "VALUE-1"}));
  REQUIRE(loop.pipeline(*c, {{"LPUSH", "KEY-2", "VALUE-2"}, {"HSET", "KEY-3", "F", "VALUE-3"}}));
  REQUIRE(loop.eval(*c, redis::script("s", "return 1"), {"KEY-4"}, {"VALUE-4"}));
  REQUIRE_FALSE(loop.exec(*c, {"LPUSH", "KEY-1", "VALUE-5"}));
  REQUIRE(t.store->size() == 4);
  for (const auto& s : t.store->spans()) {
    const auto text = everything(s);
    INFO(text);
    CHECK(text.find("VALUE") == std::string::npos);
    CHECK(text.find("KEY-") == std::string::npos);
    CHECK(text.find("PASSWORD") == std::string::npos);
  }
  const auto exposed = t.registry.expose();
  CHECK(exposed.find("VALUE") == std::string::npos);
  CHECK(exposed.find("KEY-") == std::string::npos);

  // keys_in_spans keeps the keys, still never a value.
  auto o = t.options(url);
  o.keys_in_spans = true;
  auto k = loop.open(o);
  t.store->clear();
  REQUIRE(loop.exec(*k, {"SET", "KEY-1", "VALUE-1"}));
  REQUIRE(t.store->size() == 1);
  CHECK(attr(t.store->spans()[0], "db.query.text") == "SET KEY-1 ?");
}

TEST_CASE("trace_commands=false starts no spans, and callbacks see the caller's context",
          "[integration][redis][trace]") {
  redis_server server;
  telemetry t;
  redis_loop loop;
  auto o = t.options(server.url());
  o.trace_commands = false;
  auto quiet = loop.open(o);
  REQUIRE(loop.exec(*quiet, {"PING"}));
  CHECK(t.store->size() == 0);

  auto c = loop.open(t.options(server.url()));
  auto parent = t.provider->get_tracer("test").start_span("task");
  bool done = false;
  trace::span_id seen;
  {
    trace::context_scope scope(trace::context{parent.context(), {}});
    c->exec({"PING"}, [&](expected<reply>) {
      seen = trace::current_context().span.span;
      done = true;
    });
  }
  CHECK(trace::current_context().span.span == trace::span_id{});
  REQUIRE(loop.run_until([&] { return done; }));
  CHECK(seen == parent.context().span);
}

TEST_CASE("metrics: commands and durations by command, connections by state, reconnects",
          "[integration][redis][metrics]") {
  redis_server server;
  telemetry t;
  redis_loop loop;
  auto c = loop.open(t.options(server.url()));
  REQUIRE(loop.exec(*c, {"SET", "k", "v"}));
  REQUIRE(loop.exec(*c, {"get", "k"}));
  REQUIRE_FALSE(loop.exec(*c, {"LPUSH", "k", "v"}));
  REQUIRE(loop.pipeline(*c, {{"INCR", "n"}, {"INCR", "n"}}));
  auto text = t.registry.expose();
  INFO(text);
  CHECK_THAT(text, Catch::Contains("vmterm_redis_commands_total{command=\"SET\"} 1"));
  CHECK_THAT(text, Catch::Contains("vmterm_redis_commands_total{command=\"GET\"} 1"));
  CHECK_THAT(text, Catch::Contains("vmterm_redis_commands_total{command=\"INCR\"} 2"));
  CHECK_THAT(text, Catch::Contains("vmterm_redis_command_errors_total{command=\"LPUSH\"} 1"));
  CHECK_THAT(text,
             Catch::Contains("vmterm_redis_command_duration_seconds_count{command=\"SET\"} 1"));
  CHECK_THAT(text, Catch::Contains(
                       "vmterm_redis_command_duration_seconds_count{command=\"PIPELINE INCR\"} 1"));
  CHECK_THAT(text, Catch::Contains("vmterm_redis_connections{state=\"ready\"} 1"));
  CHECK_THAT(text, Catch::Contains("vmterm_redis_reconnects_total 0"));
  server.stop();
  loop.run_for(200ms);
  server.restart();
  REQUIRE(loop.run_until([&] { return c->state() == redis::connection_state::ready; }, 5s));
  text = t.registry.expose();
  CHECK_THAT(text, Catch::Contains("vmterm_redis_connections{state=\"ready\"} 1"));
  CHECK_THAT(text, !Catch::Contains("vmterm_redis_reconnects_total 0"));
  c->close();
  text = t.registry.expose();
  CHECK_THAT(text, Catch::Contains("vmterm_redis_connections{state=\"ready\"} 0"));
}
