// OTEL_PROPAGATORS end to end: vmterm-serve joins a trace that arrives in Jaeger's or Zipkin's
// headers when told to, and warns (keeping W3C) about a propagator it does not know.
#include <signal.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <regex>
#include <thread>

#include "otlp_spans.hpp"
#include "ports.hpp"
#include "serve_process.hpp"
#include "ws_helpers.hpp"

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

/// The page's <meta name="traceparent"> ("" when it has none).
std::string page_traceparent(const std::string& html) {
  static const std::regex meta(R"re(<meta name="traceparent" content="([0-9a-f-]{55})">)re");
  std::smatch m;
  return std::regex_search(html, m, meta) ? m[1].str() : std::string();
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

TEST_CASE("the page's GET, its terminal session and the shell's spawn are one trace",
          "[serve][trace]") {
  temp_dir dir;
  const auto traces = dir / "traces.jsonl";
  std::string page_trace, page_span, ws_query;
  {
    serve_process serve({"--command", test_command}, {{"OTEL_TRACES_EXPORTER", "file"},
                                                      {"VMTERM_TRACES_FILE", traces.string()}});
    const auto page = serve.get("/", {serve.bearer()});
    REQUIRE(page.status == 200);
    CHECK(page.headers.get("Cache-Control") == "no-store");  // made for this request
    const auto tp = page_traceparent(page.body);
    REQUIRE(tp.size() == 55);
    page_trace = tp.substr(3, 32);
    page_span = tp.substr(36, 16);
    for (const auto& query : {"?traceparent=" + tp, std::string("?traceparent=00-zz-bad")}) {
      ws_client ws;
      REQUIRE(ws.connect(serve.port(), "/ws/terminal/" + query, {.headers = {serve.bearer()}}));
      start_terminal(ws);
      REQUIRE(ws.send_binary("echo traced-$((6*7))\n"));
      std::string output;
      REQUIRE(read_until(ws, "traced-42", output));
      (void)ws.close();
      CHECK(ws.wait_closed(5s));
    }
    serve.process().signal(SIGTERM);
    REQUIRE(wait_until([&] { return !serve.process().running(); }, 10s));
  }
  const auto spans = otlp_spans_in(traces);
  const auto get = spans.find("GET /");
  REQUIRE(get != spans.end());
  CHECK(get->second.value("traceId", "") == page_trace);
  CHECK(get->second.value("spanId", "") == page_span);

  std::vector<nlohmann::json> sessions;
  for (auto [it, end] = spans.equal_range("WS /ws/terminal/"); it != end; ++it) {
    sessions.push_back(it->second);
  }
  REQUIRE(sessions.size() == 2);
  const auto joined = std::find_if(sessions.begin(), sessions.end(), [&](const auto& s) {
    return s.value("traceId", "") == page_trace;
  });
  REQUIRE(joined != sessions.end());
  // GET / → WS /ws/terminal/ → pty.spawn, in one trace.
  CHECK(joined->value("parentSpanId", "") == page_span);
  // The upgrade request's own span stays reachable by a link.
  CHECK(joined->value("links", nlohmann::json::array()).size() == 1);
  // The malformed traceparent was ignored: that session is a child of its upgrade request.
  const auto& other = sessions[joined == sessions.begin() ? 1 : 0];
  CHECK(other.value("traceId", "") != page_trace);
  CHECK_FALSE(other.value("parentSpanId", "").empty());

  std::vector<nlohmann::json> spawns;
  for (auto [it, end] = spans.equal_range("pty.spawn"); it != end; ++it)
    spawns.push_back(it->second);
  REQUIRE(spawns.size() == 2);
  const auto spawn = std::find_if(spawns.begin(), spawns.end(), [&](const auto& s) {
    return s.value("parentSpanId", "") == joined->value("spanId", "");
  });
  REQUIRE(spawn != spawns.end());
  CHECK(spawn->value("traceId", "") == page_trace);
  CHECK_THAT(otlp_attribute(*spawn, "process.executable.path"), Catch::EndsWith("/bash"));
  CHECK(std::stoll(otlp_attribute(*spawn, "process.pid")) > 1);
  // The program's path only: never its arguments.
  for (const auto& a : spawn->value("attributes", nlohmann::json::array())) {
    CHECK(a.dump().find("--norc") == std::string::npos);
  }
}
