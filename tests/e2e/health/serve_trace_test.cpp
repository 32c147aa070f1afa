// vmterm-health against the real vmterm-serve: /health-check/ passes with the JSON contract,
// and the probe's span is the parent of serve's `GET /health-check/` span in one trace.
#include <catch2/catch.hpp>
#include <csignal>

#include "ports.hpp"
#include "serve_process.hpp"
#include "silent_listener.hpp"

using namespace vmterm::test;
using namespace vmterm::test::serve;

TEST_CASE("the probe's span is the parent of vmterm-serve's GET /health-check/ span",
          "[health][serve][trace]") {
  temp_dir dir{"vmterm-health-serve"};
  const auto serve_traces = dir / "serve.jsonl";
  const auto health_traces = dir / "health.jsonl";
  {
    serve_process serve(
        {"--command", test_command},
        {{"OTEL_TRACES_EXPORTER", "file"}, {"VMTERM_TRACES_FILE", serve_traces.string()}});
    const auto url = "http://127.0.0.1:" + std::to_string(serve.port()) + "/health-check/";
    auto r = health({"--nagios", "--http", url}, {{"OTEL_TRACES_EXPORTER", "file"},
                                                  {"VMTERM_TRACES_FILE", health_traces.string()}});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(first_line(r.out).starts_with("HEALTH OK - 1 of 1 check ok | 'http_time'="));
    CHECK(r.out.find("\nhttp OK - " + url + ": 200, .status=ok in ") != std::string::npos);
    serve.process().signal(SIGTERM);
    REQUIRE(wait_until([&] { return !serve.process().running(); }, 10s));
  }
  const auto probe = otlp_spans_in(health_traces);
  const auto server = otlp_spans_in(serve_traces);
  REQUIRE(probe.count("GET") == 1);
  REQUIRE(probe.count("health.run") == 1);
  REQUIRE(server.count("GET /health-check/") == 1);
  const auto& get = probe.find("GET")->second;
  const auto& run = probe.find("health.run")->second;
  const auto& served = server.find("GET /health-check/")->second;
  CHECK(served["traceId"] == get["traceId"]);
  CHECK(served["parentSpanId"] == get["spanId"]);
  CHECK(get["parentSpanId"] == run["spanId"]);
  CHECK(get["kind"] == 3);  // CLIENT
}
