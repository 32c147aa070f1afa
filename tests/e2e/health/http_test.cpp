// vmterm-health --http against a live scripted server and dead targets: the exact first line
// and the exit code of each outcome.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "http_test_server.hpp"
#include "ports.hpp"
#include "silent_listener.hpp"
#include "temp_dir.hpp"

using namespace vmterm::test;

namespace {
scripted_response json_body(unsigned status, std::string body) {
  return {.status = status, .headers = {{"Content-Type", "application/json"}}, .body = body};
}
/// The status line without its perfdata.
std::string status_text(const run_result& r) {
  auto line = first_line(r.out);
  return line.substr(0, line.find(" | "));
}
}  // namespace

TEST_CASE("a live /health-check/ is OK with perfdata and the JSON contract", "[health][http]") {
  http_test_server server;
  server.set_fallback(json_body(200, R"({"status":"ok"})"));
  const auto url = server.url("/health-check/");
  auto r = health({"--nagios", "--http", url, "-w", "5", "-c", "10"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(first_line(r.out).starts_with("HEALTH OK - 1 of 1 check ok | 'http_time'="));
  CHECK(first_line(r.out).find("s;5;10;0;10 'http_size'=15B;;;0") != std::string::npos);
  CHECK(r.out.find("\nhttp OK - " + url + ": 200, .status=ok in ") != std::string::npos);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].target == "/health-check/");
}

TEST_CASE("a wrong status, body or JSON value is CRITICAL naming what was found",
          "[health][http]") {
  http_test_server server;
  const auto url = server.url("/health-check/");
  server.push(json_body(500, R"({"status":"ok"})"));
  auto s = health({"--nagios", "--http", url});
  CHECK(s.exit_code == 2);
  CHECK(status_text(s) == "HEALTH CRITICAL - http " + url + ": status 500, expected 2xx");

  server.push(json_body(200, R"({"status":"degraded"})"));
  auto j = health({"--nagios", "--http", url});
  CHECK(j.exit_code == 2);
  CHECK(status_text(j) ==
        "HEALTH CRITICAL - http " + url + ": 200 but .status is \"degraded\", not \"ok\"");

  server.push(json_body(200, "hello"));
  auto b = health({"--nagios", "--http", server.url("/"), "--expect-body", "world"});
  CHECK(b.exit_code == 2);
  CHECK(status_text(b) ==
        "HEALTH CRITICAL - http " + server.url("/") + ": 200 but body does not contain 'world'");

  server.push(json_body(204, ""));
  auto e = health({"--nagios", "--http", server.url("/x"), "--expect-status", "200,204"});
  CHECK(e.exit_code == 0);

  // check_http's --invert-regex: the body must not match.
  server.push(json_body(200, "down for maintenance"));
  auto m = health(
      {"--nagios", "--http", server.url("/"), "--expect-regex", "mainten[a-z]+", "--invert-regex"});
  CHECK(m.exit_code == 2);
  CHECK(status_text(m) ==
        "HEALTH CRITICAL - http " + server.url("/") + ": 200 but body matches /mainten[a-z]+/");
  server.push(json_body(200, "all good"));
  auto g = health(
      {"--nagios", "--http", server.url("/"), "--expect-regex", "mainten[a-z]+", "--invert-regex"});
  CHECK(g.exit_code == 0);
}

TEST_CASE("basic auth: --basic-auth sends check_http's -a credentials, never into the trace",
          "[health][http]") {
  http_test_server server;
  temp_dir dir{"vmterm-health-basic"};
  const auto file = dir / "traces.jsonl";
  server.push(json_body(200, "ok"));
  server.push(json_body(200, "ok"));
  const env_changes env{{"OTEL_TRACES_EXPORTER", "file"}, {"VMTERM_TRACES_FILE", file.string()}};
  auto r = health({"--nagios", "--http", server.url("/"), "--basic-auth", "monitor:s3cret"}, env);
  CHECK(r.exit_code == 0);
  auto from_env = env;
  from_env["VMTERM_HEALTH_BASIC_AUTH"] = "monitor:s3cret";
  auto e = health({"--nagios", "--http", server.url("/")}, from_env);
  CHECK(e.exit_code == 0);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  for (const auto& req : requests) {
    CHECK(req.header("Authorization") == std::optional<std::string>("Basic bW9uaXRvcjpzM2NyZXQ="));
  }
  std::ifstream in(file);
  const std::string traces((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK_FALSE(traces.empty());
  CHECK(traces.find("s3cret") == std::string::npos);
  CHECK(traces.find("bW9uaXRvcjpzM2NyZXQ") == std::string::npos);
}

TEST_CASE("same-host redirects are followed and reported", "[health][http]") {
  http_test_server server;
  server.push({.status = 302, .headers = {{"Location", "/health-check/"}}});
  server.push(json_body(200, R"({"status":"ok"})"));
  auto r = health({"--nagios", "-v", "--http", server.url("/old")});
  INFO(r.out);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("200 after 1 redirect, .status=ok in ") != std::string::npos);
  CHECK(r.out.find("  redirect 302 to " + server.url("/health-check/")) != std::string::npos);
}

TEST_CASE("the HTTP probe's span is the parent of the traceparent it sends, under TRACEPARENT",
          "[health][http][trace]") {
  http_test_server server;
  temp_dir dir{"vmterm-health-trace"};
  const auto file = dir / "traces.jsonl";
  auto r = health({"--json", "--http", server.url("/")},
                  {{"OTEL_TRACES_EXPORTER", "file"},
                   {"VMTERM_TRACES_FILE", file.string()},
                   {"TRACEPARENT", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}});
  CHECK(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out)["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736");
  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  const auto tp = requests[0].header("traceparent");
  REQUIRE(tp);
  REQUIRE(tp->size() == 55);
  CHECK(tp->starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
  const auto sent_span_id = tp->substr(36, 16);
  // The exported spans: GET (CLIENT) with the id the server saw, child of health.run, whose
  // parent is the TRACEPARENT span.
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& [name, span] : otlp_spans_in(file)) by_name[name] = span;
  REQUIRE(by_name.count("GET") == 1);
  REQUIRE(by_name.count("health.run") == 1);
  CHECK(by_name["GET"]["spanId"] == sent_span_id);
  CHECK(by_name["GET"]["parentSpanId"] == by_name["health.run"]["spanId"]);
  CHECK(by_name["health.run"]["parentSpanId"] == "00f067aa0ba902b7");
  CHECK(by_name["GET"]["traceId"] == "4bf92f3577b34da6a3ce929d0e0e4736");
}

TEST_CASE("a refused port is CRITICAL with error_type refused", "[health][http]") {
  const auto port = free_loopback_port();
  const auto url = "http://127.0.0.1:" + std::to_string(port) + "/";
  auto r = health({"--nagios", "--http", url});
  CHECK(r.exit_code == 2);
  CHECK(first_line(r.out) ==
        "HEALTH CRITICAL - http " + url + ": connect: connection refused | 'http_time'=U");
  auto j = health({"--json", "--http", url});
  CHECK(j.exit_code == 2);
  auto doc = nlohmann::json::parse(j.out);
  CHECK(doc["state"] == "CRITICAL");
  CHECK(doc["checks"][0]["error_type"] == "refused");
  CHECK(doc["checks"][0]["latency_s"].is_null());
}

TEST_CASE("an unresolvable host is CRITICAL with error_type dns", "[health][http]") {
  auto j = health({"--json", "--http", "http://nonexistent.invalid/"});
  CHECK(j.exit_code == 2);
  auto doc = nlohmann::json::parse(j.out);
  CHECK(doc["checks"][0]["error_type"] == "dns");
  CHECK(
      doc["checks"][0]["output"].get<std::string>().starts_with("resolve 'nonexistent.invalid': "));
}

TEST_CASE("a silent server times out at --timeout, CRITICAL or --timeout-state", "[health][http]") {
  silent_listener silent;
  const auto url = "http://127.0.0.1:" + std::to_string(silent.port()) + "/";
  const auto t0 = std::chrono::steady_clock::now();
  auto r = health({"--nagios", "--timeout", "1s", "--http", url});
  const auto took = std::chrono::steady_clock::now() - t0;
  CHECK(r.exit_code == 2);
  CHECK(status_text(r) == "HEALTH CRITICAL - http " + url + ": no response within 1000 ms");
  CHECK(took >= std::chrono::milliseconds(1000));
  CHECK(took < std::chrono::milliseconds(1200));
  auto u = health({"--nagios", "--timeout", "300ms", "--timeout-state", "unknown", "--http", url});
  CHECK(u.exit_code == 3);
  CHECK(first_line(u.out).starts_with("HEALTH UNKNOWN - http "));
}

TEST_CASE("latency thresholds are Nagios ranges, critical checked first", "[health][http]") {
  http_test_server server;
  const auto url = server.url("/");
  auto w = health({"--nagios", "--http", url, "-w", "@0:10"});
  CHECK(w.exit_code == 1);
  CHECK(status_text(w).starts_with("HEALTH WARNING - http " + url + ": 200 in "));
  CHECK(status_text(w).ends_with("; latency inside the warning range @0:10 s"));
  auto c = health({"--nagios", "--http", url, "-w", "@0:10", "-c", "@0:10"});
  CHECK(c.exit_code == 2);
  CHECK(status_text(c).ends_with("; latency inside the critical range @0:10 s"));
  auto ok = health({"--nagios", "--http", url, "-w", "10", "-c", "20s"});
  CHECK(ok.exit_code == 0);
}
