// The span tree of one `vmterm-worker call --wait`, read back from both processes' OTLP files:
// the producer's apply_async/<task> PRODUCER with its LPUSH CLIENT child, the worker's
// run/<task> CONSUMER whose parent is the message's traceparent, and the task's own HTTP and
// Redis spans under the run span; one trace, the kinds, names, attributes and parents of
// opentelemetry-instrumentation-celery and of OpenTelemetry's Redis instrumentation, and no
// argument value anywhere.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "http_test_server.hpp"
#include "worker_fixture.hpp"

using namespace vmterm::test;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct span_record {
  std::string trace_id, span_id, parent, name;
  int kind = 0;
  std::map<std::string, json> attrs;
  json raw;
  [[nodiscard]] std::string attr(const std::string& k) const {
    auto it = attrs.find(k);
    if (it == attrs.end()) return "";
    const auto& v = it->second;
    if (v.contains("stringValue")) return v["stringValue"].get<std::string>();
    if (v.contains("intValue")) {
      return v["intValue"].is_string() ? v["intValue"].get<std::string>()
                                       : std::to_string(v["intValue"].get<std::int64_t>());
    }
    return v.dump();
  }
};

std::vector<span_record> read_spans(const std::filesystem::path& file) {
  std::vector<span_record> out;
  std::istringstream lines(read_file(file));
  std::string line;
  while (std::getline(lines, line)) {
    auto j = json::parse(line, nullptr, false);
    if (j.is_discarded()) continue;
    for (auto& rs : j["resourceSpans"]) {
      for (auto& ss : rs["scopeSpans"]) {
        for (auto& s : ss["spans"]) {
          span_record r;
          r.trace_id = s.value("traceId", "");
          r.span_id = s.value("spanId", "");
          r.parent = s.value("parentSpanId", "");
          r.name = s.value("name", "");
          r.kind = s.value("kind", 0);
          for (auto& a : s["attributes"]) r.attrs[a["key"].get<std::string>()] = a["value"];
          r.raw = s;
          out.push_back(std::move(r));
        }
      }
    }
  }
  return out;
}

constexpr int kind_client = 3, kind_producer = 4, kind_consumer = 5;

}  // namespace

TEST_CASE("one call --wait is one trace: producer, LPUSH, run, the task's HTTP and Redis spans",
          "[integration][worker][trace]") {
  worker_world w;
  http_test_server health;
  health.set_fallback({.status = 200, .body = "{\"status\": \"ok\"}"});
  const auto worker_traces = w.dir() / "worker-traces.jsonl";
  const auto call_traces = w.dir() / "call-traces.jsonl";
  auto& proc = w.start_worker(
      {"--health-url", health.url("/health-check/")},
      {{"OTEL_TRACES_EXPORTER", "file"}, {"VMTERM_TRACES_FILE", worker_traces.string()}});
  const std::string secret_arg = "s3cret-arg-7f1d";
  const std::string secret_kwarg = "s3cret-kwarg-9a2e";
  auto r = w.call({"health_check", "--args", "[\"" + secret_arg + "\"]", "--kwargs",
                   "{\"token\": \"" + secret_kwarg + "\"}", "--wait", "--timeout", "10s"},
                  {{"OTEL_TRACES_EXPORTER", "file"}, {"VMTERM_TRACES_FILE", call_traces.string()}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("\"http_status\":200") != std::string::npos);
  proc.stop(10s);  // SIGTERM: the worker's spans are flushed before it exits
  const auto producer_side = read_spans(call_traces);
  const auto worker_side = read_spans(worker_traces);
  INFO("call spans:\n"
       << read_file(call_traces) << "\nworker spans:\n"
       << read_file(worker_traces));

  auto find = [](const std::vector<span_record>& in, const std::string& name) {
    const span_record* found = nullptr;
    for (const auto& s : in) {
      if (s.name == name) {
        CHECK(found == nullptr);  // exactly one
        found = &s;
      }
    }
    return found;
  };
  // Producer side.
  const auto* producer = find(producer_side, "apply_async/health_check");
  REQUIRE(producer != nullptr);
  CHECK(producer->kind == kind_producer);
  CHECK(producer->attr("celery.action") == "apply_async");
  CHECK(producer->attr("celery.task_name") == "health_check");
  const auto task_id = producer->attr("messaging.message.id");
  CHECK(task_id.size() == 36);
  const auto& trace_id = producer->trace_id;
  const span_record* lpush = nullptr;
  for (const auto& s : producer_side) {
    if (s.name == "LPUSH" && s.parent == producer->span_id) lpush = &s;
  }
  REQUIRE(lpush != nullptr);
  CHECK(lpush->trace_id == trace_id);
  CHECK(lpush->kind == kind_client);
  CHECK(lpush->attr("db.system.name") == "redis");
  CHECK(lpush->attr("db.namespace") == "0");
  CHECK(lpush->attr("db.query.text") == "LPUSH ? ?");
  CHECK(lpush->attr("server.address") == "127.0.0.1");
  CHECK(lpush->attr("server.port") == std::to_string(w.redis().port()));
  CHECK_FALSE(lpush->attr("code.function.name").empty());

  // Worker side: run/<task> is the producer span's child, in the same trace.
  const auto* run = find(worker_side, "run/health_check");
  REQUIRE(run != nullptr);
  CHECK(run->kind == kind_consumer);
  CHECK(run->trace_id == trace_id);
  CHECK(run->parent == producer->span_id);
  CHECK(run->attr("celery.action") == "run");
  CHECK(run->attr("celery.task_name") == "health_check");
  CHECK(run->attr("celery.state") == "SUCCESS");
  CHECK(run->attr("messaging.message.id") == task_id);
  CHECK(run->attr("messaging.destination") == "celery");
  CHECK(run->raw.value("status", json::object()).value("code", 0) != 2);  // not ERROR
  // The task's HTTP GET is the run span's child and carried its own traceparent.
  const auto* get = find(worker_side, "GET");
  REQUIRE(get != nullptr);
  CHECK(get->kind == kind_client);
  CHECK(get->trace_id == trace_id);
  CHECK(get->parent == run->span_id);
  CHECK(get->attr("http.request.method") == "GET");
  CHECK(get->attr("http.response.status_code") == "200");
  REQUIRE(health.requests().size() == 1);
  // (its flags: sampled, and 02 when the trace id is random, W3C level 2)
  CHECK(health.requests()[0].header("traceparent").value_or("(none)").substr(0, 53) ==
        "00-" + trace_id + "-" + get->span_id + "-");
  // The task's Redis spans (its result, its ack) are the run span's children too.
  int redis_children = 0;
  for (const auto& s : worker_side) {
    if (s.attr("db.system.name") != "redis" || s.trace_id != trace_id) continue;
    CHECK(s.parent == run->span_id);
    CHECK(s.kind == kind_client);
    ++redis_children;
  }
  CHECK(redis_children >= 1);
  // No argument value in any span of either process (argsrepr, kwargs, query texts...).
  for (const auto* side : {&producer_side, &worker_side}) {
    for (const auto& s : *side) {
      INFO(s.name);
      const auto text = s.raw.dump();
      CHECK(text.find(secret_arg) == std::string::npos);
      CHECK(text.find(secret_kwarg) == std::string::npos);
    }
  }
}
