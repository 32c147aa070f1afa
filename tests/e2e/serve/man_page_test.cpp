// The man page documents every flag --help shows, and the endpoints and close codes.
#include <catch2/catch.hpp>

#include "man_page.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

using namespace vmterm::test;

namespace {
std::string man_text() { return vmterm::test::man_text("vmterm-serve.1"); }
}  // namespace

TEST_CASE("every flag in vmterm-serve --help appears in the man page", "[serve][man]") {
  const auto man = man_text();
  REQUIRE_FALSE(man.empty());
  const auto help = run_tool("vmterm-serve", {"--help"});
  REQUIRE(help.exit_code == 0);
  const auto flags = flags_in(help.out);
  CHECK(flags.size() >= 15);
  for (const auto& flag : flags) {
    INFO(flag);
    CHECK(man.find(flag) != std::string::npos);
  }
}

TEST_CASE("the man page documents the endpoints, the protocol and the exit codes", "[serve][man]") {
  const auto man = man_text();
  for (const char* text : {"/health-check/",
                           "/healthz",
                           "/readyz",
                           "/metrics",
                           "/ws/terminal/",
                           "\"type\":\"resize\"",
                           "\"type\":\"ack\"",
                           "\"type\":\"hello\"",
                           "\"type\":\"exit\"",
                           "\"type\":\"error\"",
                           ".B 1000",
                           ".B 1001",
                           ".B 1008",
                           ".B 1009",
                           ".B 1013",
                           "VMTERM_LISTEN",
                           "VMTERM_TOKEN",
                           ".SH EXIT STATUS",
                           "Authorization: Bearer",
                           "credentials_file"}) {
    INFO(text);
    CHECK(man.find(text) != std::string::npos);
  }
}
