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

TEST_CASE("the help names the variable of the flag that points at Jaeger, and the flag wins",
          "[trace]") {
  const auto help = vmterm_trace({"--help"});
  REQUIRE(help.exit_code == 0);
  CHECK(help.out.find("Jaeger query service URL, with any base path; env VMTERM_JAEGER_URL "
                      "(default http://127.0.0.1:16686)") != std::string::npos);
  CHECK(man_text().find("VMTERM_JAEGER_URL") != std::string::npos);

  const auto r = vmterm_trace({"--jaeger", "not a url", "services"},
                              {.env = {{"VMTERM_JAEGER_URL", "http://127.0.0.1:1"}}});
  CHECK(r.err ==
        "vmterm-trace: --jaeger 'not a url': not a URL; give the query service's address, e.g. "
        "http://127.0.0.1:16686\n");
  CHECK(r.exit_code == 2);
}
