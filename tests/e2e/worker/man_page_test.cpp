// The man page documents every flag --help shows, and the endpoints and close codes.
#include <catch2/catch.hpp>

#include "man_page.hpp"
#include "process.hpp"

using namespace vmterm::test;

TEST_CASE("every flag in vmterm-worker --help appears in the man page", "[worker][man]") {
  const auto man = man_text("vmterm-worker.1");
  REQUIRE_FALSE(man.empty());
  const auto help = run_tool("vmterm-worker", {"--help"});
  REQUIRE(help.exit_code == 0);
  const auto flags = flags_in(help.out);
  CHECK(flags.size() >= 15);
  for (const auto& flag : flags) {
    INFO(flag);
    CHECK(man.find(flag) != std::string::npos);
  }
}

TEST_CASE("every flag of call and inspect appears in the man page", "[worker][man]") {
  const auto man = man_text("vmterm-worker.1");
  for (const char* sub : {"call", "inspect"}) {
    const auto help = run_tool("vmterm-worker", {sub, "--help"});
    REQUIRE(help.exit_code == 0);
    for (const auto& flag : flags_in(help.out)) {
      INFO(sub << " " << flag);
      CHECK(man.find(flag) != std::string::npos);
    }
  }
}

TEST_CASE("the man page documents tasks, interop, metrics, spans and exit codes", "[worker][man]") {
  const auto man = man_text("vmterm-worker.1");
  for (const char* text :
       {"health_check", "VMTERM_TASK_ARGS", "TRACEPARENT", "EX_TEMPFAIL", "add.delay(2, 3)",
        "vmterm_worker_tasks_received_total", "run/", "apply_async/", "x-vmterm-dead-reason",
        ".B 0", ".B 1", ".B 2", ".B 3"}) {
    INFO(text);
    CHECK(man.find(text) != std::string::npos);
  }
}
