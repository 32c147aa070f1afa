// The man page documents every flag --help shows (with its default), each subcommand and the
// exit codes.
#include <catch2/catch.hpp>

#include "man_page.hpp"
#include "process.hpp"

using namespace vmterm::test;

TEST_CASE("every flag in vmterm-beat --help appears in the man page with its default",
          "[beat][man]") {
  const auto man = man_text("vmterm-beat.1");
  REQUIRE_FALSE(man.empty());
  for (const auto& args : std::vector<std::vector<std::string>>{{"--help"}, {"check", "--help"}}) {
    const auto r = run_tool("vmterm-beat", args);
    REQUIRE(r.exit_code == 0);
    for (const auto& flag : flags_in(r.out)) {
      INFO(args.front() << ": " << flag);
      CHECK(man.find(flag) != std::string::npos);
    }
    for (const auto& [flag, value] : defaults_in(r.out)) {
      INFO(flag << " default " << value);
      CHECK(man.find("default " + value) != std::string::npos);
    }
  }
}

TEST_CASE("the man page documents the schedule format, the subcommands and the exit codes",
          "[beat][man]") {
  const auto man = man_text("vmterm-beat.1");
  for (const char* text : {".B check", "every", "crontab", "@hourly", "expires", "priority",
                           "VMTERM_TIMEZONE", "EXIT STATUS", "Europe/Berlin"}) {
    INFO(text);
    CHECK(man.find(text) != std::string::npos);
  }
}
