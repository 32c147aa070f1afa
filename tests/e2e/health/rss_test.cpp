// The issue's memory target: one run of the three probes (http, redis, ssh) peaks at most at
// 8 MiB resident, measured as tests/bench/health measures it (its spawn_bench: a small parent,
// posix_spawn, wait4's ru_maxrss; a big parent's own RSS would count in its child's figure).
// Only a lean link (static deps, the hot code packed: cmake/hot_text.cmake) is held to it.
#include <catch2/catch.hpp>
#include <sstream>

#include "http_test_server.hpp"
#include "redis_server.hpp"
#include "silent_listener.hpp"
#include "sshd_server.hpp"
#include "temp_dir.hpp"

using namespace vmterm::test;

TEST_CASE("an http+redis+ssh run peaks under 8 MiB resident", "[health][rss]") {
#ifndef VMTERM_HEALTH_HOT_ORDERED
  WARN("vmterm-health is not linked lean with its hot code packed: no memory target to check");
  return;
#else
  http_test_server server;
  server.set_fallback({.status = 200,
                       .headers = {{"Content-Type", "application/json"}},
                       .body = R"({"status":"ok"})"});
  redis_server redis;
  sshd_server sshd;
  temp_dir dir;
  // spawn_bench splits its command on spaces: none of these paths has one.
  const std::string command = "health|" + (bin_dir() / "vmterm-health").string() +
                              " --nagios --http " + server.url("/health-check/") + " --redis " +
                              redis.url() + " --ssh 127.0.0.1:" + std::to_string(sshd.port()) +
                              " --known-hosts " + sshd.known_hosts_file().string();
  auto r = run({VMTERM_HEALTH_SPAWN_BENCH, "5", command},
               {.env = {{"OTEL_TRACES_EXPORTER", "file"},
                        {"VMTERM_TRACES_FILE", (dir / "traces.jsonl").string()},
                        {"NO_COLOR", "1"}}});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  // The row: name, min / median / p90 ms, RSS median and largest MiB, last exit code.
  std::istringstream row(r.out.substr(r.out.find("\nhealth ") + 1));
  std::string name;
  double min_ms = 0, median_ms = 0, p90_ms = 0, rss_median = 0, rss_max = 0;
  int exit_code = -1;
  row >> name >> min_ms >> median_ms >> p90_ms >> rss_median >> rss_max >> exit_code;
  CHECK(exit_code == 0);
  CHECK(rss_median > 1.0);  // a figure was read
  CHECK(rss_max <= 8.0);
#endif
}
