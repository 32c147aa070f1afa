// vmterm-serve --redis-url: /health-check/ and /readyz PING Redis (traced under the request's
// span), answer 503 with the reason while it is down, and come back when it does.
#include <catch2/catch.hpp>
#include <csignal>
#include <nlohmann/json.hpp>
#include <sstream>

#include "otlp_spans.hpp"
#include "ports.hpp"
#include "redis_server.hpp"
#include "serve_process.hpp"
#include "temp_dir.hpp"

using namespace vmterm::test;
using namespace vmterm::test::serve;

namespace {

struct span_row {
  std::string id, parent, trace, kind;
  std::map<std::string, std::string> attrs;
};

/// name -> spans, from the file exporter's OTLP/JSON lines.
std::multimap<std::string, span_row> read_spans(const std::filesystem::path& file) {
  std::multimap<std::string, span_row> out;
  for (const auto& [name, sp] : otlp_spans_in(file)) {
    span_row row{sp.value("spanId", ""),
                 sp.value("parentSpanId", ""),
                 sp.value("traceId", ""),
                 sp.dump(),
                 {}};
    for (const auto& a : sp.value("attributes", nlohmann::json::array())) {
      const auto& v = a.value("value", nlohmann::json::object());
      std::string text = v.contains("stringValue") ? v["stringValue"].get<std::string>()
                         : v.contains("intValue")  ? v["intValue"].dump()
                                                   : v.dump();
      if (!text.empty() && text.front() == '"') text = text.substr(1, text.size() - 2);
      row.attrs[a.value("key", "")] = text;
    }
    out.emplace(name, std::move(row));
  }
  return out;
}

}  // namespace

TEST_CASE("with --redis-url, /health-check/ PINGs Redis and the PING span is under the GET span",
          "[serve][redis][trace]") {
  redis_server redis({{"--requirepass", "pw-not-in-spans"}});
  temp_dir dir;
  const auto traces = dir / "traces.jsonl";
  const auto url = "redis://:pw-not-in-spans@127.0.0.1:" + std::to_string(redis.port()) + "/0";
  {
    serve_process serve(
        {"--command", test_command, "--redis-url", url},
        {{"OTEL_TRACES_EXPORTER", "file"}, {"VMTERM_TRACES_FILE", traces.string()}});
    REQUIRE(wait_until([&] { return serve.get("/health-check/").status == 200; }, 5s));
    const auto hc = serve.get("/health-check/");
    CHECK(hc.status == 200);
    CHECK(hc.body == R"({"status":"ok"})");
    CHECK(serve.get("/readyz").body == "ready\n");
    const auto metrics = serve.get("/metrics", {serve.bearer()});
    CHECK_THAT(metrics.body, Catch::Contains("vmterm_redis_commands_total{command=\"PING\"}"));
    CHECK_THAT(metrics.body, Catch::Contains("vmterm_redis_connections{state=\"ready\"} 1"));
    serve.process().signal(SIGTERM);
    REQUIRE(wait_until([&] { return !serve.process().running(); }, 10s));
  }
  const auto spans = read_spans(traces);
  REQUIRE(spans.count("GET /health-check/") >= 1);
  REQUIRE(spans.count("PING") >= 2);
  // Every PING is the child of a GET span, in its trace.
  std::map<std::string, const span_row*> by_id;
  for (const auto& [name, row] : spans) by_id[row.id] = &row;
  for (auto [it, end] = spans.equal_range("PING"); it != end; ++it) {
    const auto& ping = it->second;
    INFO(ping.kind);
    REQUIRE(by_id.count(ping.parent) == 1);
    const auto* parent = by_id[ping.parent];
    CHECK((parent->kind.find("\"name\":\"GET /health-check/\"") != std::string::npos ||
           parent->kind.find("\"name\":\"GET /readyz\"") != std::string::npos));
    CHECK(ping.trace == parent->trace);
    CHECK(ping.attrs.at("db.system.name") == "redis");
    CHECK(ping.attrs.at("db.query.text") == "PING");
    CHECK(ping.attrs.at("server.port") == std::to_string(redis.port()));
  }
  CHECK(read_file(traces).find("pw-not-in-spans") == std::string::npos);
}

TEST_CASE("with Redis stopped, /readyz and /health-check/ answer 503 with the reason",
          "[serve][redis]") {
  redis_server redis;
  serve_process serve({"--command", test_command, "--redis-url", redis.url()});
  REQUIRE(wait_until([&] { return serve.get("/readyz").status == 200; }, 5s));
  redis.stop();
  const std::string reason =
      "redis '" + redis.url() + "': connection refused; start redis-server or fix the URL";
  REQUIRE(
      wait_until([&] { return serve.get("/readyz").body == "not ready: " + reason + "\n"; }, 5s));
  const auto ready = serve.get("/readyz");
  CHECK(ready.status == 503);
  const auto hc = serve.get("/health-check/");
  CHECK(hc.status == 503);
  CHECK(hc.body == R"({"status":"error","redis":")" + reason + "\"}");
  CHECK(serve.get("/healthz").status == 200);  // liveness does not depend on Redis

  redis.restart();
  REQUIRE(wait_until([&] { return serve.get("/readyz").status == 200; }, 3s));
  CHECK(serve.get("/health-check/").status == 200);
}

TEST_CASE("a bad --redis-url exits 2 naming it, without the password", "[serve][redis]") {
  const auto r = run_tool(
      "vmterm-serve", {"--command", "true", "--redis-url", "redis://:hunter2@127.0.0.1:port/0"});
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "vmterm-serve: --redis-url: redis URL 'redis://:***@127.0.0.1:port/0': port 'port' is "
        "not a number from 1 to 65535; use redis://[user:password@]host:port/db\n");
  const auto e = run_tool("vmterm-serve", {"--command", "true"},
                          {.env = {{"VMTERM_REDIS_URL", "rediss://:hunter2@h/0"}}});
  CHECK(e.exit_code == 2);
  CHECK(e.err ==
        "vmterm-serve: environment variable VMTERM_REDIS_URL: redis URL 'rediss://:***@h/0': TLS "
        "(rediss://) is not supported yet; use redis:// on a trusted network, or reach Redis "
        "through an SSH tunnel; fix or unset VMTERM_REDIS_URL\n");
}
