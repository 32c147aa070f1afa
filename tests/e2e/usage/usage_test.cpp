// Every tool reports a usage error the same way (vmterm(7)): one line on stderr,
// "<tool>: <what is wrong with which input>; <the fix>", exit status 2, nothing on stdout.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/flags.hpp"
#include "core/parse.hpp"
#include "http_test_server.hpp"
#include "man_page.hpp"
#include "process.hpp"
#include "temp_dir.hpp"
#include "term/session_hub.hpp"

using vmterm::test::run_tool;

namespace {

void check_usage(const std::string& tool, const std::vector<std::string>& args,
                 const std::string& line) {
  INFO(tool << " with " << args.size() << " argument(s)");
  const auto r = run_tool(tool, args);
  CHECK(r.exit_code == 2);
  CHECK(r.err == line + "\n");
  CHECK(r.out.empty());
}

}  // namespace

TEST_CASE("an unknown flag names the flag and the --help to read, in every tool", "[usage]") {
  check_usage("vmterm-serve", {"--bogus"},
              "vmterm-serve: unknown flag '--bogus'; see vmterm-serve --help");
  check_usage("vmterm-trace", {"--bogus"},
              "vmterm-trace: unknown flag '--bogus'; see vmterm-trace --help");
  check_usage("vmterm-trace", {"show", "--bogus"},
              "vmterm-trace: unknown flag '--bogus'; see vmterm-trace show --help");
}

TEST_CASE("an argument a command does not take is named with the command's --help", "[usage]") {
  check_usage("vmterm-trace", {"services", "extra"},
              "vmterm-trace: unexpected argument 'extra'; see vmterm-trace services --help");
}

TEST_CASE("a flag without its value says it needs one", "[usage]") {
  check_usage("vmterm-serve", {"--listen"},
              "vmterm-serve: --listen needs a value; see vmterm-serve --help");
}

TEST_CASE("vmterm-trace names its commands when one is missing or unknown", "[usage]") {
  check_usage("vmterm-trace", {},
              "vmterm-trace: no command given; give one of services, operations, search, "
              "stats, show; see vmterm-trace --help");
  check_usage("vmterm-trace", {"bogus"},
              "vmterm-trace: unknown command 'bogus'; give one of services, operations, "
              "search, stats, show");
}

TEST_CASE("asking for --help still prints the help on stdout and exits 0", "[usage]") {
  for (const std::string tool : {"vmterm-serve", "vmterm-trace"}) {
    const auto r = run_tool(tool, {"--help"});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("--help") != std::string::npos);
  }
}

TEST_CASE("a bare number in --timeout means seconds in vmterm-trace too", "[usage]") {
  // A server that answers after 60 s: the request gives up after --timeout.
  using namespace std::chrono_literals;
  vmterm::test::http_test_server jaeger;
  jaeger.set_fallback({.status = 200, .headers = {}, .body = "{}", .delay = 60s});
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_tool("vmterm-trace", {"--jaeger", jaeger.url(), "--timeout", "1", "services"},
                          {.env = {{"OTEL_TRACES_EXPORTER", "none"}}});
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(r.exit_code == 1);
  CHECK(took >= 900ms);  // one second, not one millisecond
  CHECK(took < 10s);
  CHECK(r.err.find("no response within 1") != std::string::npos);
}

TEST_CASE("every default --help states is the one the flag's man-page entry states, in every tool",
          "[usage][man]") {
  const std::vector<std::vector<std::string>> commands{
      {"vmterm-serve"},           {"vmterm-worker"},
      {"vmterm-worker", "call"},  {"vmterm-worker", "inspect"},
      {"vmterm-trace"},           {"vmterm-trace", "show"},
      {"vmterm-trace", "search"}, {"vmterm-beat"},
      {"vmterm-beat", "check"}};
  std::size_t checked = 0;
  for (const auto& command : commands) {
    std::vector<std::string> args(command.begin() + 1, command.end());
    args.push_back("--help");
    const auto help = vmterm::test::run_tool(command.front(), args);
    REQUIRE(help.exit_code == 0);
    const auto man = vmterm::test::man_text(command.front() + ".1");
    REQUIRE_FALSE(man.empty());
    for (const auto& [flag, text] : vmterm::test::defaults_in(help.out)) {
      const auto value = vmterm::test::default_value(text);
      const auto entry =
          vmterm::test::man_entry(man, flag, args.size() > 1 ? args.front() : std::string());
      INFO(command.front() << " " << (args.size() > 1 ? args.front() : "") << " " << flag
                           << ": --help says default '" << value << "'; man entry: " << entry);
      CHECK((entry.find("default " + value) != std::string::npos ||
             entry.find("Default " + value) != std::string::npos));
      ++checked;
    }
  }
  CHECK(checked >= 30);
}

TEST_CASE("every tool prints its name and the build's version for --version, on stdout, exit 0",
          "[usage]") {
  for (const std::string tool :
       {"vmterm-serve", "vmterm-worker", "vmterm-beat", "vmterm-health", "vmterm-trace"}) {
    INFO(tool);
    const auto r = run_tool(tool, {"--version"});
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    CHECK(r.out == vmterm::config::version_line(tool) + "\n");
    CHECK(r.out.rfind(tool + " " + VMTERM_TEST_PROJECT_VERSION, 0) == 0);
  }
}

namespace {

/// The default `flag` has in `tool [command] --help`.
std::string help_default(const std::vector<std::string>& command, const std::string& flag) {
  std::vector<std::string> args(command.begin() + 1, command.end());
  args.push_back("--help");
  const auto help = run_tool(command.front(), args);
  const auto defaults = vmterm::test::defaults_in(help.out);
  const auto it = defaults.find(flag);
  return it == defaults.end() ? std::string() : vmterm::test::default_value(it->second);
}

}  // namespace

TEST_CASE("the defaults --help states are the ones the tools use", "[usage]") {
  SECTION("vmterm-beat check prints --count due times of each entry") {
    const auto count = help_default({"vmterm-beat", "check"}, "--count");
    REQUIRE_FALSE(count.empty());
    vmterm::test::temp_dir dir;
    vmterm::test::write_file(dir / "s.toml", "[ping]\ntask = \"ping\"\nevery = \"60s\"\n");
    const auto r = run_tool("vmterm-beat",
                            {"check", (dir / "s.toml").string(), "--now", "2024-05-01T10:00:00Z"},
                            {.env = {{"VMTERM_TIMEZONE", std::nullopt}}});
    REQUIRE(r.exit_code == 0);
    std::size_t due = 0;
    for (std::size_t at = r.out.find("\n  "); at != std::string::npos;
         at = r.out.find("\n  ", at + 1)) {
      ++due;
    }
    CHECK(std::to_string(due) == count);
    // --timezone's default names the zone the times are shown in.
    CHECK(r.out.find("time zone " + help_default({"vmterm-beat", "check"}, "--timezone")) !=
          std::string::npos);
  }
  SECTION("vmterm-worker logs in --log-format's default: one JSON object per line") {
    REQUIRE(help_default({"vmterm-worker"}, "--log-format") == "json");
    const auto r =
        run_tool("vmterm-worker", {"--broker", "redis://127.0.0.1:1/0"},
                 {.env = {{"VMTERM_LOG_FORMAT", std::nullopt}, {"OTEL_TRACES_EXPORTER", "none"}}});
    CHECK(r.exit_code == 1);
    const auto line = r.err.substr(0, r.err.find('\n'));
    INFO(line);
    CHECK(nlohmann::json::accept(line));
    CHECK(nlohmann::json::parse(line, nullptr, false).value("level", "") == "error");
  }
  SECTION("vmterm-serve's --max-message default is the one lib/term's sessions use") {
    // Its flag's default is read from term::hub_options, not written again.
    CHECK(help_default({"vmterm-serve"}, "--max-message") ==
          vmterm::parse::size_text(vmterm::term::hub_options{}.max_message));
  }
}
