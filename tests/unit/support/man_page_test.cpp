#include "man_page.hpp"

#include <catch2/catch.hpp>

using namespace vmterm::test;

namespace {
const std::string help = R"(vmterm-x: a tool
Usage: vmterm-x [OPTIONS]

Options:
  -h,--help                   Print this help message and exit
  -c,--concurrency N          run this many tasks at once; env VMTERM_CONCURRENCY (default 4)
  --broker URL                the Redis broker; env VMTERM_REDIS_URL, CELERY_BROKER_URL
                              (default redis://127.0.0.1:6379/0)
  --early-ack                 ack before running; env VMTERM_EARLY_ACK
)";
}

TEST_CASE("flags_in finds every short and long flag at a word start", "[support]") {
  CHECK(flags_in(help) ==
        std::set<std::string>{"-h", "--help", "-c", "--concurrency", "--broker", "--early-ack"});
}

TEST_CASE("defaults_in reads each flag's default, also from a wrapped line", "[support]") {
  const auto d = defaults_in(help);
  CHECK(d.size() == 2);
  CHECK(d.at("--concurrency") == "4");
  CHECK(d.at("--broker") == "redis://127.0.0.1:6379/0");
}

TEST_CASE("man_text unescapes roff's dashes and is empty for a missing page", "[support]") {
  const auto serve = man_text("vmterm-serve.1");
  CHECK(serve.find("--listen") != std::string::npos);
  CHECK(serve.find("\\-") == std::string::npos);
  CHECK(man_text("no-such-page.1").empty());
}

TEST_CASE("man_entry looks in a subcommand's section first, then in the whole page", "[support]") {
  const std::string man =
      ".SH OPTIONS\n.SS Shared\n.TP\n.BI --broker \" URL\"\nThe broker.\n"
      ".SS The worker\n.TP\n.BI --poll \" D\"\nPoll (default 0).\n"
      ".SS call\n.TP\n.BI --poll \" D\"\nPoll (default 250us).\n.SH EXIT STATUS\n0 ok\n";
  CHECK(man_entry(man, "--poll") == ".BI --poll  D\nPoll (default 0).");
  CHECK(man_entry(man, "--poll", "call") == ".BI --poll  D\nPoll (default 250us).");
  CHECK(man_entry(man, "--broker", "call") == ".BI --broker  URL\nThe broker.");
  CHECK(man_entry(man, "--poll", "inspect") == ".BI --poll  D\nPoll (default 0).");
}

TEST_CASE("man_entry gives one flag's entry without font changes", "[support]") {
  const std::string man =
      ".SH OPTIONS\n.TP\n.BI --listen \" HOST:PORT\"\nListen here. Default "
      "\\fB127.0.0.1:8000\\fR.\n"
      ".TP\n.BI --list \" N\"\nAt most N (default \\fB0\\fR: never).\n.SH EXIT STATUS\n0 ok\n";
  CHECK(man_entry(man, "--listen") ==
        ".BI --listen  HOST:PORT\nListen here. Default 127.0.0.1:8000.");
  CHECK(man_entry(man, "--list") == ".BI --list  N\nAt most N (default 0: never).");
  CHECK(man_entry(man, "--lis").empty());
  CHECK(default_value("60s; 0: end it at once") == "60s");
  CHECK(default_value("0: never") == "0");
  CHECK(default_value("127.0.0.1:8000") == "127.0.0.1:8000");
}
