#include <catch2/catch.hpp>

#include "health/report.hpp"

using namespace vmterm::health;

namespace {
check_result http_ok() {
  check_result c;
  c.kind = "http";
  c.target = "127.0.0.1:8080/health-check/";
  c.status = state::ok;
  c.output = "200 in 2.1 ms";
  c.latency_s = 0.0021;
  c.perf.push_back({"http_time", 0.0021, "s", "0.5", "1", 0.0, 10.0});
  c.detail.push_back("address 127.0.0.1:8080");
  return c;
}
check_result redis_refused() {
  check_result c;
  c.kind = "redis";
  c.target = "127.0.0.1:6379";
  c.status = state::critical;
  c.output = "connection refused";
  c.error_type = error_types::refused;
  c.perf.push_back({"redis_time", std::nullopt, "s", "", "", 0.0, 10.0});
  return c;
}
}  // namespace

TEST_CASE("the summary names the first critical check", "[health][report]") {
  report r{{http_ok(), redis_refused()}, ""};
  CHECK(overall(r) == state::critical);
  CHECK(summary(r) == "redis 127.0.0.1:6379: connection refused");
  report ok{{http_ok()}, ""};
  CHECK(summary(ok) == "1 of 1 check ok");
  CHECK(overall(report{}) == state::unknown);
}

TEST_CASE("an UNKNOWN check is summarised before a WARNING one", "[health][report]") {
  auto w = http_ok();
  w.status = state::warning;
  w.output = "200 in 0.7 s (warning above 0.5)";
  check_result u;
  u.kind = "ssh";
  u.target = "h:22";
  u.output = "unknown key";
  report r{{w, u}, ""};
  CHECK(overall(r) == state::warning);
  CHECK(summary(r) == "ssh h:22: unknown key");
}

TEST_CASE("Nagios output puts the status line and all perfdata first", "[health][report]") {
  report r{{http_ok(), redis_refused()}, "4bf92f3577b34da6a3ce929d0e0e4736"};
  CHECK(render_nagios(r, 0) ==
        "HEALTH CRITICAL - redis 127.0.0.1:6379: connection refused | "
        "'http_time'=0.0021s;0.5;1;0;10 'redis_time'=U\n"
        "http OK - 127.0.0.1:8080/health-check/: 200 in 2.1 ms\n"
        "redis CRITICAL - 127.0.0.1:6379: connection refused\n");
  CHECK(render_nagios(r, 1).find("\n  address 127.0.0.1:8080\n") != std::string::npos);
}

TEST_CASE("Nagios output keeps '|' and line breaks out of texts and four probes under 1024 bytes",
          "[health][report]") {
  report r;
  for (int i = 0; i < 4; ++i) {
    auto c = redis_refused();
    c.output = "a | b\nc" + std::string(500, 'x');
    c.perf[0].label = "redis" + std::to_string(i) + "_time";
    r.checks.push_back(c);
  }
  const auto out = render_nagios(r, 0);
  CHECK(out.size() < 1024);
  const auto first = out.substr(0, out.find('\n'));
  CHECK(first.starts_with("HEALTH CRITICAL - redis 127.0.0.1:6379: a   b c"));
  CHECK(std::count(first.begin(), first.end(), '|') == 1);
}

TEST_CASE("text output colours state words only when asked", "[health][report]") {
  report r{{http_ok()}, ""};
  CHECK(render_text(r, 0, false) ==
        "OK       http 127.0.0.1:8080/health-check/: 200 in 2.1 ms\n"
        "HEALTH OK - 1 of 1 check ok\n");
  CHECK(render_text(r, 0, true).starts_with("\x1b[32mOK\x1b[0m"));
}

TEST_CASE("JSON output is one document with the fixed fields", "[health][report]") {
  report r{{http_ok(), redis_refused()}, "4bf92f3577b34da6a3ce929d0e0e4736"};
  const auto out = render_json(r);
  CHECK(out.starts_with(
      R"({"state":"CRITICAL","exit_code":2,"summary":"redis 127.0.0.1:6379: connection refused",)"
      R"("trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","checks":[{"name":"http",)"));
  CHECK(out.find(R"("error_type":"refused")") != std::string::npos);
  CHECK(out.find(R"("latency_s":null)") != std::string::npos);
  CHECK(out.find(R"("attempts":1)") != std::string::npos);
  CHECK(out.find(R"({"label":"redis_time","value":null,"uom":"s","warn":null,)") !=
        std::string::npos);
  CHECK(out.back() == '\n');
}

TEST_CASE("a usage error is one UNKNOWN line", "[health][report]") {
  CHECK(usage_line("--warning 'abc': not a number") == "UNKNOWN - --warning 'abc': not a number");
}
