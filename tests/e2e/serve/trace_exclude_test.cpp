// --trace-exclude end to end: a Prometheus scrape or a probe of vmterm-serve makes no span but
// is still counted; /health-check/ stays traced; a scrape carrying a sampled traceparent is
// traced anyway.
#include <signal.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "otlp_spans.hpp"
#include "ports.hpp"
#include "serve_process.hpp"

using namespace vmterm::test;
using namespace vmterm::test::serve;
using namespace std::chrono_literals;

namespace {

/// The spans vmterm-serve exported after `drive` ran against it and it stopped.
template <class Drive>
std::multimap<std::string, nlohmann::json> spans_after(std::vector<std::string> args,
                                                       env_changes env, const Drive& drive) {
  temp_dir dir;
  const auto traces = dir / "traces.jsonl";
  env["OTEL_TRACES_EXPORTER"] = "file";
  env["VMTERM_TRACES_FILE"] = traces.string();
  {
    serve_process serve(std::move(args), std::move(env));
    drive(serve);
    serve.process().signal(SIGTERM);
    REQUIRE(wait_until([&] { return !serve.process().running(); }, 10s));
  }
  return otlp_spans_in(traces);
}

/// The value of the sample `line_start` ("http_server_requests_total{...} ") in a scrape, or -1.
double sample(const std::string& text, const std::string& line_start) {
  const auto at = text.find(line_start);
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + line_start.size()));
}

}  // namespace

TEST_CASE(
    "by default /metrics, /healthz and /favicon.ico make no span but are counted, and "
    "/health-check/ is traced",
    "[serve][trace]") {
  std::string scrape;
  const auto spans = spans_after({}, {}, [&](serve_process& serve) {
    REQUIRE(serve.get("/healthz").status == 200);
    REQUIRE(serve.get("/health-check/").status == 200);
    (void)serve.get("/favicon.ico");
    REQUIRE(serve.get("/metrics", {serve.bearer()}).status == 200);
    scrape = serve.get("/metrics", {serve.bearer()}).body;
  });
  CHECK(spans.count("GET /health-check/") == 1);
  CHECK(spans.count("GET /healthz") == 0);
  CHECK(spans.count("GET /metrics") == 0);
  CHECK(spans.size() == 1);  // nothing for /favicon.ico (a 404) either
  CHECK(sample(scrape,
               "http_server_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} ") ==
        1);
  CHECK(sample(scrape,
               "http_server_requests_total{method=\"GET\",route=\"/metrics\",status=\"200\"} ") ==
        1);
}

TEST_CASE("a scrape that carries a sampled traceparent is traced anyway, an unsampled one not",
          "[serve][trace]") {
  const auto spans = spans_after({}, {}, [&](serve_process& serve) {
    REQUIRE(serve
                .get("/metrics",
                     {serve.bearer(),
                      {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}})
                .status == 200);
    REQUIRE(serve
                .get("/metrics",
                     {serve.bearer(),
                      {"traceparent", "00-5bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"}})
                .status == 200);
  });
  REQUIRE(spans.count("GET /metrics") == 1);
  const auto& span = spans.find("GET /metrics")->second;
  CHECK(span.value("traceId", "") == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(span.value("parentSpanId", "") == "00f067aa0ba902b7");
}

TEST_CASE("a --trace-exclude list replaces the default, and an empty one traces everything",
          "[serve][trace]") {
  auto spans = spans_after({"--trace-exclude", "/health-*"}, {}, [&](serve_process& serve) {
    REQUIRE(serve.get("/health-check/").status == 200);
    REQUIRE(serve.get("/healthz").status == 200);
  });
  CHECK(spans.count("GET /health-check/") == 0);
  CHECK(spans.count("GET /healthz") == 1);
  spans = spans_after({"--trace-exclude", ""}, {}, [&](serve_process& serve) {
    REQUIRE(serve.get("/metrics", {serve.bearer()}).status == 200);
  });
  CHECK(spans.count("GET /metrics") == 1);
  spans =
      spans_after({}, {{"VMTERM_TRACE_EXCLUDE", "/a,/health-check/"}}, [&](serve_process& serve) {
        REQUIRE(serve.get("/health-check/").status == 200);
        REQUIRE(serve.get("/healthz").status == 200);
      });
  CHECK(spans.count("GET /health-check/") == 0);
  CHECK(spans.count("GET /healthz") == 1);
}

TEST_CASE("a --trace-exclude entry that is not a path is a usage error naming it",
          "[serve][trace]") {
  const auto r = run_tool("vmterm-serve", {"--trace-exclude", "metrics"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vmterm-serve: --trace-exclude 'metrics': must be a path starting with '/'\n");
  const auto e = run_tool("vmterm-serve", {}, {.env = {{"VMTERM_SLOW_REQUEST", "soon"}}});
  CHECK(e.exit_code == 2);
  CHECK(e.err.starts_with("vmterm-serve: environment variable VMTERM_SLOW_REQUEST='soon': "));
}

TEST_CASE("excluded paths are matched below --base-path too", "[serve][trace]") {
  const auto spans = spans_after({"--base-path", "/vmterm"}, {}, [&](serve_process& serve) {
    REQUIRE(serve.get("/vmterm/metrics", {serve.bearer()}).status == 200);
    REQUIRE(serve.get("/vmterm/health-check/").status == 200);
  });
  CHECK(spans.count("GET /vmterm/metrics") == 0);
  CHECK(spans.count("GET /vmterm/health-check/") == 1);
}
