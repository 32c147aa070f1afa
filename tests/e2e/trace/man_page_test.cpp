// The man page documents every flag --help shows, and every subcommand's flags.
#include <catch2/catch.hpp>

#include "man_page.hpp"
#include "trace_cli.hpp"

using namespace vmterm::test;
using namespace vmterm::test::trace_cli;

namespace {
std::string man_text() { return vmterm::test::man_text("vmterm-trace.1"); }
}  // namespace

TEST_CASE("every flag in --help appears in the man page", "[trace]") {
  const auto man = man_text();
  REQUIRE_FALSE(man.empty());
  for (const auto& args : std::vector<std::vector<std::string>>{{"--help"},
                                                                {"services", "--help"},
                                                                {"operations", "--help"},
                                                                {"search", "--help"},
                                                                {"stats", "--help"},
                                                                {"show", "--help"}}) {
    const auto r = vmterm_trace(args);
    REQUIRE(r.exit_code == 0);
    for (const auto& flag : flags_in(r.out)) {
      INFO(args.front() << ": " << flag);
      CHECK(man.find(flag) != std::string::npos);
    }
  }
  for (const char* command : {"services", "operations", "search", "stats", "show"}) {
    CHECK(man.find(std::string(".B ") + command) != std::string::npos);
  }
}
