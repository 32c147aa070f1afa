// vmterm-health --redis against the real redis-server fixture and dead ones; several probes in
// one run fold worst-wins; the whole run never outlasts --timeout.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "http_test_server.hpp"
#include "ports.hpp"
#include "redis_server.hpp"
#include "silent_listener.hpp"

using namespace vmterm::test;

TEST_CASE("a live Redis is OK with its role", "[health][redis]") {
  redis_server redis;
  auto r = health({"--nagios", "--redis", redis.url()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(first_line(r.out).starts_with("HEALTH OK - 1 of 1 check ok | 'redis_time'="));
  CHECK(r.out.find("\nredis OK - 127.0.0.1:" + std::to_string(redis.port()) + ": PONG in ") !=
        std::string::npos);
  CHECK(r.out.find(", role master\n") != std::string::npos);
}

TEST_CASE("a Redis that wants AUTH is CRITICAL quoting NOAUTH", "[health][redis]") {
  redis_server redis({.args = {"--requirepass", "pw"}});
  const auto target = "127.0.0.1:" + std::to_string(redis.port());
  auto r = health({"--nagios", "--redis", redis.url()});
  CHECK(r.exit_code == 2);
  CHECK(first_line(r.out) == "HEALTH CRITICAL - redis " + target +
                                 ": the server requires a password (NOAUTH Authentication "
                                 "required.) | 'redis_time'=U");
  auto j = health({"--json", "--redis", redis.url()});
  CHECK(nlohmann::json::parse(j.out)["checks"][0]["error_type"] == "auth");
  auto ok = health({"--nagios", "--redis", "redis://:pw@" + target + "/0"});
  CHECK(ok.exit_code == 0);
}

TEST_CASE("a refused Redis is CRITICAL with error_type refused", "[health][redis]") {
  const auto port = std::to_string(free_loopback_port());
  auto r = health({"--json", "--redis", "redis://127.0.0.1:" + port});
  CHECK(r.exit_code == 2);
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["summary"].get<std::string>().starts_with("redis 127.0.0.1:" + port + ": "));
  CHECK(doc["checks"][0]["error_type"] == "refused");
}

TEST_CASE("probes fold worst-wins and the first line names the critical one", "[health][redis]") {
  http_test_server server;
  server.set_fallback({.status = 200, .body = R"({"status":"ok"})"});
  const auto port = std::to_string(free_loopback_port());
  auto r = health(
      {"--nagios", "--http", server.url("/health-check/"), "--redis", "redis://127.0.0.1:" + port});
  CHECK(r.exit_code == 2);
  CHECK(first_line(r.out).starts_with("HEALTH CRITICAL - redis 127.0.0.1:" + port + ": "));
  CHECK(first_line(r.out).find(" | 'http_time'=") != std::string::npos);
  CHECK(first_line(r.out).ends_with("'redis_time'=U"));
  CHECK(r.out.find("\nhttp OK - ") != std::string::npos);
  CHECK(r.out.find("\nredis CRITICAL - ") != std::string::npos);
}

TEST_CASE("all probes hung and the collector black-holed still exit within --timeout + 0.2 s",
          "[health][redis]") {
  silent_listener http_silent, redis_silent, collector;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = health(
      {"--nagios", "--timeout", "1s", "--http",
       "http://127.0.0.1:" + std::to_string(http_silent.port()) + "/", "--redis",
       "redis://127.0.0.1:" + std::to_string(redis_silent.port())},
      {{"OTEL_TRACES_EXPORTER", "otlp"},
       {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + std::to_string(collector.port())},
       {"OTEL_EXPORTER_OTLP_TIMEOUT", "10000"}});
  const auto took = std::chrono::steady_clock::now() - t0;
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(first_line(r.out).starts_with("HEALTH CRITICAL - "));
  CHECK(took < std::chrono::milliseconds(1200));
}

TEST_CASE("IPv4 or IPv6 only holds for Redis: a host is reached over that family only",
          "[health][redis]") {
  redis_server redis;
  const auto port = std::to_string(redis.port());
  auto v4 = health({"--nagios", "-4", "--redis", "redis://localhost:" + port});
  INFO(v4.out << v4.err);
  CHECK(v4.exit_code == 0);
  CHECK(v4.out.find("\nredis OK - localhost:" + port + ": PONG in ") != std::string::npos);
  // 127.0.0.1 has no IPv6 address: not connected to at all, a dns failure naming the flag.
  auto v6 = health({"--json", "-6", "--redis", redis.url()});
  INFO(v6.out << v6.err);
  CHECK(v6.exit_code == 2);
  const auto check = nlohmann::json::parse(v6.out)["checks"][0];
  CHECK(check["error_type"] == "dns");
  CHECK_THAT(check["output"].get<std::string>(),
             Catch::StartsWith("cannot resolve host '127.0.0.1' over IPv6 (-6): "));
}
