// --slow-request end to end: a /health-check/ held up by a paused Redis is logged as a warning
// with its trace id, route and duration, and counted; a fast one is not.
#include <catch2/catch.hpp>
#include <csignal>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "otlp_spans.hpp"
#include "ports.hpp"
#include "process.hpp"
#include "redis_server.hpp"
#include "serve_process.hpp"
#include "temp_dir.hpp"

using namespace vmterm::test;
using namespace vmterm::test::serve;
using namespace std::chrono_literals;

namespace {

/// The JSON log lines of `text` whose message is `msg`.
std::vector<nlohmann::json> log_lines(const std::string& text, const std::string& msg) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.value("message", "") == msg) out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

TEST_CASE(
    "with --slow-request, a slow request is logged with its trace id, route and duration, "
    "and counted",
    "[serve][redis][trace]") {
  redis_server redis;
  temp_dir dir;
  const auto traces = dir / "traces.jsonl";
  std::string scrape, err;
  {
    serve_process serve(
        {"--redis-url", redis.url(), "--slow-request", "200ms"},
        {{"OTEL_TRACES_EXPORTER", "file"}, {"VMTERM_TRACES_FILE", traces.string()}});
    REQUIRE(wait_until([&] { return serve.get("/health-check/").status == 200; }, 10s));
    // Redis answers nothing for 600 ms: the PING of the next check waits that long.
    const auto paused = run_tool("/usr/bin/redis-cli",
                                 {"-p", std::to_string(redis.port()), "CLIENT", "PAUSE", "600"});
    REQUIRE(paused.exit_code == 0);
    REQUIRE(serve.get("/health-check/").status == 200);
    scrape = serve.get("/metrics", {serve.bearer()}).body;
    err = serve.stderr_text();
    serve.process().signal(SIGTERM);
    REQUIRE(wait_until([&] { return !serve.process().running(); }, 10s));
  }
  const auto slow = log_lines(err, "slow http request");
  REQUIRE(slow.size() == 1);
  CHECK(slow[0].value("level", "") == "warn");
  CHECK(slow[0].value("route", "") == "/health-check/");
  CHECK(slow[0].value("duration_ms", 0.0) >= 200.0);
  CHECK(slow[0].value("slow_request_ms", 0) == 200);
  const auto spans = otlp_spans_in(traces);
  bool found = false;
  for (auto [it, end] = spans.equal_range("GET /health-check/"); it != end; ++it) {
    found = found || it->second.value("traceId", "") == slow[0].value("trace_id", "?");
  }
  CHECK(found);
  CHECK(scrape.find("http_server_slow_requests_total{method=\"GET\",route=\"/health-check/\"} 1") !=
        std::string::npos);
}
