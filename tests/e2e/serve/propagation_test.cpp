// OTEL_PROPAGATORS end to end: vmterm-serve joins a trace that arrives in Jaeger's or Zipkin's
// headers when told to, and warns (keeping W3C) about a propagator it does not know.
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

struct server_span {
  std::string trace, parent;
};

/// Serves one GET /health-check/ (traced; /healthz makes a span only when sampled) with
/// `headers` under OTEL_PROPAGATORS=`propagators` and returns the server span it exported.
server_span serve_once(const std::string& propagators,
                       std::vector<std::pair<std::string, std::string>> headers) {
  temp_dir dir;
  const auto traces = dir / "traces.jsonl";
  {
    serve_process serve({}, {{"OTEL_TRACES_EXPORTER", "file"},
                             {"VMTERM_TRACES_FILE", traces.string()},
                             {"OTEL_PROPAGATORS", propagators}});
    REQUIRE(serve.get("/health-check/", std::move(headers)).status == 200);
    serve.process().signal(SIGTERM);
    REQUIRE(wait_until([&] { return !serve.process().running(); }, 10s));
  }
  const auto spans = otlp_spans_in(traces);
  if (auto it = spans.find("GET /health-check/"); it != spans.end()) {
    return {it->second.value("traceId", ""), it->second.value("parentSpanId", "")};
  }
  FAIL("no GET /health-check/ span in " << traces);
  return {};
}

}  // namespace

TEST_CASE("OTEL_PROPAGATORS=jaeger: a request with uber-trace-id joins that trace",
          "[serve][trace]") {
  const auto s =
      serve_once("tracecontext,jaeger", {{"uber-trace-id", "5a3c1b:7f8e9d0c1b2a3948:0:1"}});
  CHECK(s.trace == "000000000000000000000000005a3c1b");
  CHECK(s.parent == "7f8e9d0c1b2a3948");
}

TEST_CASE("OTEL_PROPAGATORS=b3multi: X-B3 headers join that trace", "[serve][trace]") {
  const auto s = serve_once("b3multi", {{"X-B3-TraceId", "463ac35c9f6413ad48485a3953bb6124"},
                                        {"X-B3-SpanId", "a2fb4a1d1a96d312"},
                                        {"X-B3-Sampled", "1"}});
  CHECK(s.trace == "463ac35c9f6413ad48485a3953bb6124");
  CHECK(s.parent == "a2fb4a1d1a96d312");
}

TEST_CASE("by default uber-trace-id is ignored, and an unknown propagator is warned about",
          "[serve][trace]") {
  auto s = serve_once("", {{"uber-trace-id", "5a3c1b:7f8e9d0c1b2a3948:0:1"}});
  CHECK(s.trace != "000000000000000000000000005a3c1b");
  CHECK(s.parent.empty());
  serve_process serve({}, {{"OTEL_TRACES_EXPORTER", "none"}, {"OTEL_PROPAGATORS", "xray"}});
  CHECK(serve.stderr_text().find(
            "OTEL_PROPAGATORS 'xray': unknown propagator 'xray'; use tracecontext, baggage, b3, "
            "b3multi, jaeger or none, separated by commas; using tracecontext,baggage") !=
        std::string::npos);
}
