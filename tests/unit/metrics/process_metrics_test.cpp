#include "metrics/process_metrics.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <map>

#include "metrics/registry.hpp"

using namespace vmterm::metrics;

TEST_CASE("/proc/<pid>/stat parses even when the command holds ') '", "[metrics]") {
  const auto st = parse_proc_stat(
      "1234 (a) b (c)) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 987654 "
      "123456789 321 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
  REQUIRE(st);
  CHECK(st->utime_ticks == 250);
  CHECK(st->stime_ticks == 50);
  CHECK(st->starttime_ticks == 987654);
  CHECK(st->vsize_bytes == 123456789);
  CHECK(st->rss_pages == 321);
  CHECK(parse_proc_stat("1 (x) S 1 2 3").error().message ==
        "parse /proc stat '1 (x) S 1 2 3': too few fields");
  CHECK(parse_boot_time("cpu 1 2\nbtime 1700000000\nprocesses 5\n").value() == 1700000000);
  CHECK_FALSE(parse_boot_time("cpu 1 2\n"));
}

TEST_CASE("process metrics are plausible for this process", "[metrics]") {
  const int fd = ::open("/dev/null", O_RDONLY);
  REQUIRE(fd >= 0);
  std::map<std::string, double> v;
  for (const auto& f : collect_process_metrics()) v[f.name] = f.samples.at(0).value;
  ::close(fd);
  REQUIRE(v.size() == 6);
  CHECK(v["process_open_fds"] >= 4);
  CHECK(v["process_max_fds"] >= v["process_open_fds"]);
  CHECK(v["process_cpu_seconds_total"] >= 0);
  CHECK(v["process_resident_memory_bytes"] > 1024 * 1024);
  CHECK(v["process_virtual_memory_bytes"] >= v["process_resident_memory_bytes"]);
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  CHECK(v["process_start_time_seconds"] <= now + 1);
  CHECK(v["process_start_time_seconds"] > now - 86400);
}

TEST_CASE("process metrics join a registry's exposition", "[metrics]") {
  registry reg;
  add_process_metrics(reg);
  const std::string text = reg.expose();
  CHECK(text.find("# TYPE process_cpu_seconds_total counter\n") != std::string::npos);
  CHECK(text.find("# TYPE process_start_time_seconds gauge\n") != std::string::npos);
  CHECK(text.find("\nprocess_open_fds ") != std::string::npos);
}
