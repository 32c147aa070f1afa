// The man page documents every flag and default --help shows, the exit codes and the recipes.
#include <catch2/catch.hpp>

#include "man_page.hpp"
#include "process.hpp"

using namespace vmterm::test;

TEST_CASE("every flag and default in vmterm-health --help is in the man page", "[health][man]") {
  const auto man = man_text("vmterm-health.1");
  REQUIRE_FALSE(man.empty());
  const auto help = run_tool("vmterm-health", {"--help"});
  REQUIRE(help.exit_code == 0);
  const auto flags = flags_in(help.out);
  CHECK(flags.size() >= 18);
  for (const auto& flag : flags) {
    INFO(flag);
    CHECK(man.find(flag) != std::string::npos);
  }
  for (const auto& [flag, value] : defaults_in(help.out)) {
    INFO(flag << " default " << value);
    CHECK(man.find(value) != std::string::npos);
  }
}

TEST_CASE("the man page documents exit codes, outputs and recipes", "[health][man]") {
  const auto man = man_text("vmterm-health.1");
  for (const char* text : {".B 0", ".B 1", ".B 2", ".B 3", "HEALTH CRITICAL", "error_type",
                           "define command", "crontab", "TRACEPARENT", "@10:20"}) {
    INFO(text);
    CHECK(man.find(text) != std::string::npos);
  }
}
