// A program interrupted by SIGINT or SIGTERM exports the spans it had ended, then ends as the
// signal would have; one that exits normally exports them without waiting for the schedule.
#include <catch2/catch.hpp>
#include <csignal>

#include "ports.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

using namespace vmterm::test;

namespace {

env_changes file_tracing(const temp_dir& dir) {
  return {{"OTEL_TRACES_EXPORTER", "file"},
          {"VMTERM_TRACES_FILE", (dir / "traces.jsonl").string()},
          {"OTEL_BSP_SCHEDULE_DELAY", "60000"},  // only a flush can write in time
          {"OTEL_SDK_DISABLED", std::nullopt},
          {"TRACEPARENT", std::nullopt}};
}

}  // namespace

TEST_CASE("an interrupted program exports its ended spans and exits with 128+signal",
          "[integration][trace]") {
  for (const int sig : {SIGTERM, SIGINT}) {
    INFO("signal " << sig);
    temp_dir dir;
    child_process probe({.argv = {VMTERM_SIGNAL_PROBE, "span-before-signal", "wait"},
                         .env = file_tracing(dir),
                         .stdout_file = dir / "out"});
    REQUIRE(wait_until([&] { return read_file(dir / "out") == "ready\n"; }, 10s));
    ::kill(probe.pid(), sig);
    REQUIRE(wait_until([&] { return !probe.running(); }, 10s));
    CHECK(probe.exit_code() == 128 + sig);
    CHECK_THAT(read_file(dir / "traces.jsonl"), Catch::Contains("\"span-before-signal\""));
  }
}

TEST_CASE("a program that exits normally exports its spans at once, not after the schedule delay",
          "[integration][trace]") {
  temp_dir dir;
  const auto start = std::chrono::steady_clock::now();
  const auto r = run({VMTERM_SIGNAL_PROBE, "span-at-exit", "exit"}, {.env = file_tracing(dir)});
  CHECK(r.exit_code == 0);
  CHECK(std::chrono::steady_clock::now() - start < 5s);  // the schedule delay is 60 s
  CHECK_THAT(read_file(dir / "traces.jsonl"), Catch::Contains("\"span-at-exit\""));
}
