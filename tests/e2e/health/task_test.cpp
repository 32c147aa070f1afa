// vmterm-health --task against a real redis-server and the built vmterm-worker: a round trip is
// OK, a FAILURE is CRITICAL quoting the exception type only, no worker is CRITICAL within the
// task's deadline (and the run's), and the worker's run span joins the probe's trace.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>

#include "ports.hpp"
#include "silent_listener.hpp"
#include "worker_fixture.hpp"

using namespace vmterm::test;

namespace {
std::vector<std::string> with_queue(const worker_world& w, std::vector<std::string> args) {
  args.insert(args.end(), {"--broker", w.broker(), "--result-backend", w.backend()});
  return args;
}
}  // namespace

TEST_CASE("a task round trip through a real worker is OK with its latency", "[health][task]") {
  worker_world w;
  w.start_worker({});
  auto r = health(with_queue(w, {"--nagios", "-v", "--task", "noop"}));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(first_line(r.out).starts_with("HEALTH OK - 1 of 1 check ok | 'task_time'="));
  CHECK(first_line(r.out).ends_with("s;;;0;10"));
  CHECK(r.out.find("\ntask OK - noop: SUCCESS in ") != std::string::npos);
  CHECK(r.out.find(", queue celery\n") != std::string::npos);
  // The broker and backend from the environment, as the worker reads them.
  auto e = health({"--json", "--task", "noop"},
                  {{"VMTERM_REDIS_URL", w.broker()}, {"CELERY_RESULT_BACKEND", w.backend()}});
  INFO(e.out << e.err);
  CHECK(e.exit_code == 0);
  const auto doc = nlohmann::json::parse(e.out);
  CHECK(doc["checks"][0]["name"] == "task");
  CHECK(doc["checks"][0]["state"] == "OK");
  CHECK(doc["checks"][0]["latency_s"].get<double>() > 0);
}

TEST_CASE("a FAILURE result is CRITICAL quoting the exception type, never its message",
          "[health][task]") {
  worker_world w;
  w.start_worker({"--task", "fail=echo secret-argument >&2; exit 3"});
  auto r = health(with_queue(w, {"--nagios", "-vvv", "--task", "fail"}));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(first_line(r.out) == "HEALTH CRITICAL - task fail: FAILURE: CommandFailed | 'task_time'=U");
  CHECK(r.out.find("secret-argument") == std::string::npos);
  CHECK(r.out.find("exit") == std::string::npos);
  auto j = health(with_queue(w, {"--json", "--task", "fail"}));
  CHECK(nlohmann::json::parse(j.out)["checks"][0]["error_type"] == "task_failed");
}

TEST_CASE("no worker is CRITICAL 'no result within' the task's deadline, inside the run's",
          "[health][task]") {
  worker_world w;  // Redis, no worker
  auto t0 = std::chrono::steady_clock::now();
  auto r = health(with_queue(w, {"--nagios", "--task", "noop", "--task-timeout", "500ms"}));
  auto took = std::chrono::steady_clock::now() - t0;
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(first_line(r.out) ==
        "HEALTH CRITICAL - task noop: no result within 500 ms (is a worker consuming queue "
        "'celery'?) | 'task_time'=U");
  CHECK(took >= 500ms);
  CHECK(took < 800ms);
  // --timeout is the run's bound: a longer --task-timeout is cut to it.
  t0 = std::chrono::steady_clock::now();
  auto cut = health(
      with_queue(w, {"--json", "--timeout", "300ms", "--task", "noop", "--queue", "nobody"}));
  took = std::chrono::steady_clock::now() - t0;
  CHECK(cut.exit_code == 2);
  const auto check = nlohmann::json::parse(cut.out)["checks"][0];
  CHECK(check["error_type"] == "task_timeout");
  CHECK(check["output"] == "no result within 300 ms (is a worker consuming queue 'nobody'?)");
  CHECK(took < 500ms);
}

TEST_CASE("a refused broker is CRITICAL with error_type refused", "[health][task]") {
  const auto url = "redis://127.0.0.1:" + std::to_string(free_loopback_port()) + "/0";
  auto r = health({"--json", "--task", "noop", "--broker", url});
  INFO(r.out);
  CHECK(r.exit_code == 2);
  const auto check = nlohmann::json::parse(r.out)["checks"][0];
  CHECK(check["error_type"] == "refused");
  CHECK(check["output"].get<std::string>().find("connection refused") != std::string::npos);
}

TEST_CASE("a refused broker beside a live backend is the broker's failure", "[health][task]") {
  worker_world w;
  const auto url = "redis://127.0.0.1:" + std::to_string(free_loopback_port()) + "/0";
  auto r = health({"--json", "--task", "noop", "--broker", url, "--result-backend", w.backend()});
  INFO(r.out);
  CHECK(r.exit_code == 2);
  const auto check = nlohmann::json::parse(r.out)["checks"][0];
  CHECK(check["error_type"] == "refused");
  CHECK(check["output"] == "connection refused");  // the broker's URL, cut from its message
}

TEST_CASE("IPv4 or IPv6 only holds for the task's broker and backend", "[health][task]") {
  worker_world w;
  auto r = health(with_queue(w, {"--json", "-6", "--task", "noop"}));
  INFO(r.out);
  CHECK(r.exit_code == 2);
  const auto check = nlohmann::json::parse(r.out)["checks"][0];
  CHECK(check["error_type"] == "dns");
  CHECK_THAT(check["output"].get<std::string>(),
             Catch::StartsWith("cannot resolve host '127.0.0.1' over IPv6 (-6): "));
}

TEST_CASE("the worker's run span joins the probe's trace through the producer span",
          "[health][task][trace]") {
  worker_world w;
  const auto worker_file = w.dir() / "worker-traces.jsonl";
  const auto health_file = w.dir() / "health-traces.jsonl";
  auto& worker = w.start_worker(
      {}, {{"OTEL_TRACES_EXPORTER", "file"}, {"VMTERM_TRACES_FILE", worker_file.string()}});
  auto r = health(with_queue(w, {"--json", "--task", "noop"}),
                  {{"OTEL_TRACES_EXPORTER", "file"}, {"VMTERM_TRACES_FILE", health_file.string()}});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto trace_id = nlohmann::json::parse(r.out)["trace_id"].get<std::string>();
  worker.stop();  // flushes its spans
  std::map<std::string, nlohmann::json> spans;
  for (const auto& [name, span] : otlp_spans_in(health_file)) spans[name] = span;
  for (const auto& [name, span] : otlp_spans_in(worker_file)) spans[name] = span;
  REQUIRE(spans.count("health.task") == 1);
  REQUIRE(spans.count("apply_async/noop") == 1);
  REQUIRE(spans.count("run/noop") == 1);
  CHECK(spans["health.task"]["parentSpanId"] == spans["health.run"]["spanId"]);
  CHECK(spans["apply_async/noop"]["parentSpanId"] == spans["health.task"]["spanId"]);
  CHECK(spans["run/noop"]["parentSpanId"] == spans["apply_async/noop"]["spanId"]);
  CHECK(spans["run/noop"]["traceId"] == trace_id);
}
