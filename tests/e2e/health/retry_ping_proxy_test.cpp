// vmterm-health's run-level options against live servers: --retries (each attempt reported,
// bounded by --timeout), --ping-url (healthchecks.io: /start before, the exit code after with
// the output as body, never changing the state), --proxy and the environment's proxies
// (ignored unless --proxy-from-env), -4/-6.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "http_test_server.hpp"
#include "ports.hpp"
#include "silent_listener.hpp"
#include "temp_dir.hpp"

using namespace vmterm::test;

namespace {
scripted_response ok_json() { return {.status = 200, .body = R"({"status":"ok"})"}; }
}  // namespace

TEST_CASE("retries try a failing probe again and reports the attempts", "[health][retry]") {
  http_test_server server;
  server.push({.status = 503});
  server.push({.status = 503});
  server.push(ok_json());
  auto r = health({"--json", "--http", server.url("/"), "--retries", "3", "--retry-delay", "50ms"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  const auto check = nlohmann::json::parse(r.out)["checks"][0];
  CHECK(check["attempts"] == 3);
  CHECK(check["output"].get<std::string>().ends_with(" (attempt 3 of 4)"));
  CHECK(check["detail"][0] == "attempt 1: CRITICAL - status 503, expected 2xx");
  CHECK(check["detail"][1] == "attempt 2: CRITICAL - status 503, expected 2xx");
  CHECK(server.requests().size() == 3);

  // Out of attempts: the last failure, every attempt named.
  const auto dead = "http://127.0.0.1:" + std::to_string(free_loopback_port()) + "/";
  auto d = health({"--nagios", "--http", dead, "--retries", "1", "--retry-delay", "10ms"});
  CHECK(d.exit_code == 2);
  CHECK(first_line(d.out) == "HEALTH CRITICAL - http " + dead +
                                 ": connect: connection refused (attempt 2 of 2) | 'http_time'=U");
}

TEST_CASE("retries never outlast --timeout", "[health][retry]") {
  silent_listener silent;
  const auto url = "http://127.0.0.1:" + std::to_string(silent.port()) + "/";
  const auto t0 = std::chrono::steady_clock::now();
  auto r = health(
      {"--json", "--timeout", "500ms", "--http", url, "--retries", "5", "--retry-delay", "100ms"});
  const auto took = std::chrono::steady_clock::now() - t0;
  CHECK(r.exit_code == 2);
  CHECK(took < 700ms);
  const auto check = nlohmann::json::parse(r.out)["checks"][0];
  CHECK(check["attempts"] == 1);
  CHECK(check["detail"][0] == "no time left for another attempt");
}

TEST_CASE("the ping URL gets /start, then POSTs the output to /<exit code>", "[health][ping]") {
  http_test_server target, hc;
  target.set_fallback({.status = 500});
  auto r = health({"--nagios", "--http", target.url("/"), "--ping-url", hc.url("/ping/abc/")});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.err.empty());
  const auto pings = hc.requests();
  REQUIRE(pings.size() == 2);
  CHECK(pings[0].method == "GET");
  CHECK(pings[0].target == "/ping/abc/start");
  CHECK(pings[1].method == "POST");
  CHECK(pings[1].target == "/ping/abc/2");
  CHECK(pings[1].body == r.out);
  // The URL may come from the environment (kept out of the crontab's command line).
  auto env = health({"--nagios", "--http", target.url("/")},
                    {{"VMTERM_HEALTH_PING_URL", hc.url("/ping/env")}});
  CHECK(env.exit_code == 2);
  REQUIRE(hc.requests().size() == 4);
  CHECK(hc.requests()[3].target == "/ping/env/2");

  // A ping that fails is a note on stderr; state, output and exit code are the run's.
  const auto dead = "http://127.0.0.1:" + std::to_string(free_loopback_port()) + "/p";
  target.set_fallback(ok_json());
  auto d = health({"--nagios", "--http", target.url("/"), "--ping-url", dead});
  CHECK(d.exit_code == 0);
  CHECK(first_line(d.out).starts_with("HEALTH OK - "));
  CHECK(d.err == "vmterm-health: --ping-url: GET '" + dead +
                     "/start': connect: connection refused\nvmterm-health: --ping-url: POST '" +
                     dead + "/0': connect: connection refused\n");
}

TEST_CASE("a proxy gets http:// probes in absolute form, and env proxies need --proxy-from-env",
          "[health][proxy]") {
  http_test_server proxy;
  proxy.set_fallback(ok_json());
  const std::string url = "http://probe.invalid:8080/health-check/";
  auto r = health({"--nagios", "--http", url, "--proxy", proxy.url()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  REQUIRE(proxy.requests().size() == 1);
  CHECK(proxy.requests()[0].target == url);
  CHECK(proxy.requests()[0].header("Host") == "probe.invalid:8080");

  // The environment's proxy is ignored by default...
  const env_changes env{{"http_proxy", proxy.url()}, {"HTTPS_PROXY", proxy.url()}};
  auto ignored = health({"--json", "--http", url}, env);
  CHECK(ignored.exit_code == 2);
  CHECK(nlohmann::json::parse(ignored.out)["checks"][0]["error_type"] == "dns");
  CHECK(proxy.requests().size() == 1);
  // ...used with --proxy-from-env...
  auto used = health({"--nagios", "--http", url, "--proxy-from-env"}, env);
  CHECK(used.exit_code == 0);
  CHECK(proxy.requests().size() == 2);
  // ...except for the hosts no_proxy names.
  auto env_no = env;
  env_no["no_proxy"] = "localhost,.invalid";
  auto bypassed = health({"--json", "--http", url, "--proxy-from-env"}, env_no);
  CHECK(bypassed.exit_code == 2);
  CHECK(proxy.requests().size() == 2);
}

TEST_CASE("a proxy tunnels https:// with CONNECT and reports a refusal", "[health][proxy]") {
  http_test_server proxy;
  proxy.push({.status = 403});
  auto r = health({"--nagios", "--http", "https://secure.invalid/", "--proxy", proxy.url()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(first_line(r.out) ==
        "HEALTH CRITICAL - http https://secure.invalid/: proxy CONNECT secure.invalid:443: the "
        "proxy answered 403 Forbidden | 'http_time'=U");
  REQUIRE(proxy.requests().size() == 1);
  CHECK(proxy.requests()[0].method == "CONNECT");
  CHECK(proxy.requests()[0].target == "secure.invalid:443");
}

TEST_CASE("a proxy URL's user:password goes in Proxy-Authorization and nowhere else",
          "[health][proxy]") {
  http_test_server proxy;
  proxy.set_fallback(ok_json());
  temp_dir dir{"vmterm-health-proxy"};
  const auto traces = dir / "traces.jsonl";
  const env_changes tracing{{"OTEL_TRACES_EXPORTER", "file"},
                            {"VMTERM_TRACES_FILE", traces.string()}};
  // "us@er" and "p:ss", percent-encoded in the URL: Basic base64("us@er:p:ss").
  const std::string with_credentials =
      "http://us%40er:p%3Ass@127.0.0.1:" + std::to_string(proxy.port());
  const std::string url = "http://probe.invalid:8080/health-check/";
  auto r = health({"--nagios", "-vvv", "--http", url, "--proxy", with_credentials}, tracing);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  REQUIRE(proxy.requests().size() == 1);
  CHECK(proxy.requests()[0].header("Proxy-Authorization") == "Basic dXNAZXI6cDpzcw==");
  CHECK(r.out.find("\n  through proxy http://***@127.0.0.1:" + std::to_string(proxy.port()) +
                   "\n") != std::string::npos);
  // A CONNECT for https:// carries it too; the refusal's line names no credentials.
  proxy.push({.status = 407});
  auto t =
      health({"--json", "--http", "https://secure.invalid/", "--proxy", with_credentials}, tracing);
  INFO(t.out << t.err);
  CHECK(t.exit_code == 2);
  REQUIRE(proxy.requests().size() == 2);
  CHECK(proxy.requests()[1].method == "CONNECT");
  CHECK(proxy.requests()[1].header("Proxy-Authorization") == "Basic dXNAZXI6cDpzcw==");
  // An https:// proxy is refused without echoing the password.
  auto u = health({"--nagios", "--http", url, "--proxy", "https://us:secret@127.0.0.1:1"});
  CHECK(u.exit_code == 3);
  CHECK(first_line(u.out) ==
        "UNKNOWN - --proxy 'https://***@127.0.0.1:1': an https:// proxy is not supported; give "
        "http://HOST:PORT");
  const std::string spans = read_file(traces);
  CHECK(spans.find("GET") != std::string::npos);  // the spans were written
  for (const auto& text : {r.out, r.err, t.out, t.err, u.out, u.err, spans}) {
    for (const std::string secret : {"p:ss", "p%3Ass", "dXNAZXI6cDpzcw", "secret"}) {
      CHECK(text.find(secret) == std::string::npos);
    }
  }
  // Without credentials, no such header.
  auto plain = health({"--nagios", "--http", url, "--proxy", proxy.url()});
  CHECK(plain.exit_code == 0);
  REQUIRE(proxy.requests().size() == 3);
  CHECK_FALSE(proxy.requests()[2].header("Proxy-Authorization").has_value());
}

TEST_CASE("IPv4 or IPv6 only (-4/-6) connects to one address family only", "[health][http]") {
  http_test_server server;
  const auto local = "http://localhost:" + std::to_string(server.port()) + "/";
  auto v4 = health({"--nagios", "-v", "-4", "--http", local});
  INFO(v4.out);
  CHECK(v4.exit_code == 0);
  CHECK(v4.out.find("\n  address 127.0.0.1:" + std::to_string(server.port()) + "\n") !=
        std::string::npos);
  // 127.0.0.1 has no IPv6 address, and -6 does not map it.
  auto v6 = health({"--json", "-6", "--http", server.url("/")});
  CHECK(v6.exit_code == 2);
  CHECK(nlohmann::json::parse(v6.out)["checks"][0]["error_type"] == "dns");
}
