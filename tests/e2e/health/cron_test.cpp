// scripts/cron: the crontab example is valid cron syntax naming the wrapper, and the wrapper
// logs to syslog (through `logger`) only when the state changes, keeping vmterm-health's
// output and exit code. `logger` is replaced by a recorder first in PATH.
#include <catch2/catch.hpp>
#include <filesystem>

#include "http_test_server.hpp"
#include "ports.hpp"
#include "silent_listener.hpp"
#include "temp_dir.hpp"

using namespace vmterm::test;

namespace {
std::filesystem::path cron_dir() { return source_dir() / "scripts" / "cron"; }

run_result wrapper(const temp_dir& dir, std::vector<std::string> args) {
  std::vector<std::string> argv{(cron_dir() / "vmterm-health-syslog").string(),
                                (dir / "state").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  const std::string path = dir.path().string() + ":/usr/bin:/bin";
  return run(argv, {.env = {{"PATH", path},
                            {"VMTERM_HEALTH", (bin_dir() / "vmterm-health").string()},
                            {"OTEL_TRACES_EXPORTER", "none"}}});
}
}  // namespace

TEST_CASE("the cron wrapper logs only state changes and keeps the exit code", "[health][cron]") {
  temp_dir dir{"vmterm-health-cron"};
  write_file(dir / "logger", "#!/bin/sh\necho \"$*\" >> \"$(dirname \"$0\")/syslog\"\n");
  std::filesystem::permissions(dir / "logger", std::filesystem::perms::owner_all);
  http_test_server server;
  const auto up = server.url("/");
  const auto down = "http://127.0.0.1:" + std::to_string(free_loopback_port()) + "/";

  auto a = wrapper(dir, {"--http", up});
  CHECK(a.exit_code == 0);
  CHECK(a.out.starts_with("HEALTH OK - 1 of 1 check ok | 'http_time'="));
  auto b = wrapper(dir, {"--http", up});
  CHECK(b.exit_code == 0);
  auto c = wrapper(dir, {"--http", down});
  CHECK(c.exit_code == 2);
  auto d = wrapper(dir, {"--http", down});
  CHECK(d.exit_code == 2);
  CHECK(read_file(dir / "state") == "CRITICAL\n");
  CHECK(read_file(dir / "syslog") ==
        "-t vmterm-health -p daemon.info state NONE -> OK: HEALTH OK - 1 of 1 check ok\n"
        "-t vmterm-health -p daemon.err state OK -> CRITICAL: HEALTH CRITICAL - http " +
            down + ": connect: connection refused\n");
}

TEST_CASE(
    "the crontab example is five fields and the wrapper, and the wrapper checks its "
    "arguments",
    "[health][cron]") {
  const auto cron = read_file(cron_dir() / "vmterm-health.cron");
  CHECK(cron.find("\n* * * * * vmterm-health-syslog /var/tmp/vmterm-health.state ") !=
        std::string::npos);
  auto r = run({(cron_dir() / "vmterm-health-syslog").string()});
  CHECK(r.exit_code == 3);
  CHECK(r.err.starts_with("vmterm-health-syslog: usage: vmterm-health-syslog STATE_FILE FLAGS"));
}
