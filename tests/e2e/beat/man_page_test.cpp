// The man page documents every flag --help shows (with its default), each subcommand and the
// exit codes.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

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

TEST_CASE("vmterm-beat and vmterm-worker show --metrics-listen and --token-file alike",
          "[beat][man]") {
  // One declaration (http/metrics_flags.hpp) for both tools: the same help, env and default.
  const auto lines = [](const std::string& help) {
    std::vector<std::string> out;
    std::istringstream in(help);
    for (std::string line; std::getline(in, line);) {
      if (line.find("--metrics-listen HOST:PORT") != std::string::npos ||
          line.find("--token-file FILE") != std::string::npos) {
        std::string flat;  // the column widths differ between the tools
        for (const char c : line.substr(line.find("--"))) {
          if (c != ' ' || flat.empty() || flat.back() != ' ') flat.push_back(c);
        }
        out.push_back(flat);
      }
    }
    return out;
  };
  const auto beat = run_tool("vmterm-beat", {"--help"});
  const auto worker = run_tool("vmterm-worker", {"--help"});
  REQUIRE(beat.exit_code == 0);
  REQUIRE(worker.exit_code == 0);
  const auto b = lines(beat.out);
  REQUIRE(b.size() == 2);
  CHECK(b == lines(worker.out));
  CHECK_THAT(b[0], Catch::Contains("env VMTERM_METRICS_LISTEN (default: none, no endpoint)"));
  CHECK_THAT(b[1], Catch::Contains("env VMTERM_TOKEN_FILE (default: none, metrics only on a "
                                   "loopback address)"));
}
