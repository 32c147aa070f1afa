// Usage errors and a Jaeger URL that is not one, as the user sees them: the whole line, in the
// project's form "vmterm-trace: <what is wrong with which input>; <the fix>", exit 2 (usage) or
// 1 (a service that is not Jaeger).
#include <catch2/catch.hpp>

#include "sshd_server.hpp"
#include "trace_cli.hpp"

using namespace vmterm::test;
using namespace vmterm::test::trace_cli;

namespace {

void check_usage(const std::vector<std::string>& args, const std::string& line) {
  INFO((args.empty() ? std::string("(no arguments)") : args.front()));
  const auto r = vmterm_trace(args);
  CHECK(r.err == "vmterm-trace: " + line + "\n");
  CHECK(r.out == "");
  CHECK(r.exit_code == 2);
}

}  // namespace

TEST_CASE("a missing or unknown command names the commands", "[trace]") {
  check_usage({},
              "no command given; give one of services, operations, search, stats, show; "
              "see vmterm-trace --help");
  check_usage({"bogus"},
              "unknown command 'bogus'; give one of services, operations, search, stats, show");
  check_usage({"search", "--service", "a", "--bogus"},
              "unknown flag '--bogus'; see vmterm-trace search --help");
  check_usage({"services", "extra"},
              "unexpected argument 'extra'; see vmterm-trace services --help");
}

TEST_CASE("bad flag values name the flag, the value and the fix", "[trace]") {
  check_usage({"--file", "-", "search", "--service", "a", "--limit", "0"},
              "--limit '0': must be at least 1");
  check_usage({"--file", "-", "search", "--service", "a", "--limit", "ten"},
              "--limit 'ten': not a whole number; give how many traces to show, at least 1");
  check_usage({"--width", "abc", "--file", "-", "services"},
              "--width 'abc': not a whole number; give a number of columns (0: no limit)");
  check_usage({"--color", "red", "--file", "-", "services"},
              "--color 'red': must be auto, always or never");
  check_usage({"--max-input", "lots", "--file", "-", "services"},
              "--max-input 'lots': not a size; give bytes or a whole number with KiB, MiB or GiB "
              "(e.g. 512MiB)");
  check_usage({"--file", "-", "operations", "checkout", "--kind", "sever"},
              "--kind 'sever': must be server, client, producer, consumer or internal");
}

TEST_CASE("a Jaeger URL that is not a URL says so, from the flag or the environment", "[trace]") {
  check_usage({"--jaeger", "not a url", "services"},
              "--jaeger 'not a url': not a URL; give the query service's address, e.g. "
              "http://127.0.0.1:16686");
  const auto r = vmterm_trace({"services"}, {.env = {{"VMTERM_JAEGER_URL", "localhost:16686"}}});
  CHECK(r.err ==
        "vmterm-trace: VMTERM_JAEGER_URL='localhost:16686': not a URL; give the query service's "
        "address, e.g. http://127.0.0.1:16686\n");
  CHECK(r.exit_code == 2);
}

TEST_CASE("a --jaeger pointed at an SSH server quotes what it answered", "[trace]") {
  sshd_server sshd;
  const auto where = "127.0.0.1:" + std::to_string(sshd.port());
  const auto r = vmterm_trace({"--jaeger", "http://" + where, "services"},
                              {.timeout = std::chrono::seconds(20)});
  CHECK(r.exit_code == 1);
  const auto head = "vmterm-trace: GET 'http://" + where + "/api/v3/services': " + where +
                    " is not a Jaeger query service: it answered 'SSH-2.0-OpenSSH_";
  const std::string tail = "'; point --jaeger at Jaeger's query service (port 16686 by default)\n";
  CHECK(r.err.rfind(head, 0) == 0);
  REQUIRE(r.err.size() > tail.size());
  CHECK(r.err.substr(r.err.size() - tail.size()) == tail);
  CHECK(r.err.find("bad version") == std::string::npos);
}
