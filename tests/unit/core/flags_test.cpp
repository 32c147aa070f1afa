#include "core/flags.hpp"

#include "core/parse.hpp"
#include "core/version.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using vmterm::config::flag;
using vmterm::config::flag_set;
using vmterm::config::list_flag;

namespace {
using env_map = std::map<std::string, std::string>;

vmterm::config::env_lookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
}

/// Parses `args` as the command line of `app`, then resolves `flags`.
vmterm::expected<void> parse_args(CLI::App& app, flag_set& flags,
                                  const std::vector<std::string>& args) {
  std::vector<const char*> argv{"vmterm-test"};
  for (const auto& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), const_cast<char**>(argv.data()));
  return flags.resolve();
}

struct worker_like {
  int concurrency = 0;
  std::string broker;
  std::chrono::milliseconds timeout{};
  bool early_ack = true;
  std::vector<std::string> queues;
  std::optional<std::string> token_file;
};

struct fixture {
  CLI::App app{"test"};
  worker_like s;
  flag_set flags;

  explicit fixture(std::map<std::string, std::string> env = {}) : flags(app, fake_env(env)) {
    app.name("vmterm-test");
    flags.add(s.concurrency, flag<int>{.name = "-c,--concurrency",
                                       .env = {"VMTERM_CONCURRENCY"},
                                       .value_name = "N",
                                       .help = "run this many tasks at once",
                                       .fallback = 4,
                                       .check = [](const int& v) -> std::optional<std::string> {
                                         if (v < 1) return "must be at least 1";
                                         return std::nullopt;
                                       }});
    flags.add(s.broker, flag<std::string>{.name = "--broker",
                                          .env = {"VMTERM_REDIS_URL", "CELERY_BROKER_URL"},
                                          .value_name = "URL",
                                          .help = "the Redis broker",
                                          .fallback = "redis://127.0.0.1:6379/0"});
    flags.add(s.timeout, flag<std::chrono::milliseconds>{.name = "--shutdown-timeout",
                                                         .value_name = "DURATION",
                                                         .help = "finish running tasks",
                                                         .fallback = 30s});
    flags.add(s.early_ack, flag<bool>{.name = "--early-ack",
                                      .env = {"VMTERM_EARLY_ACK"},
                                      .help = "ack before running"});
    flags.add(s.queues, list_flag<std::string>{.name = "-Q,--queues",
                                               .env = {"VMTERM_QUEUES"},
                                               .value_name = "QUEUE",
                                               .help = "consume these queues",
                                               .fallback = {"celery"}});
    flags.add(s.token_file,
              flag<std::optional<std::string>>{
                  .name = "--token-file", .value_name = "FILE", .help = "read the token here"});
  }

  vmterm::expected<void> parse(const std::vector<std::string>& args) {
    return parse_args(app, flags, args);
  }
};

}  // namespace

TEST_CASE("defaults apply when neither flag nor environment is given", "[flags]") {
  fixture f;
  REQUIRE(f.parse({}));
  CHECK(f.s.concurrency == 4);
  CHECK(f.s.broker == "redis://127.0.0.1:6379/0");
  CHECK(f.s.timeout == 30s);
  CHECK_FALSE(f.s.early_ack);
  CHECK(f.s.queues == std::vector<std::string>{"celery"});
  CHECK_FALSE(f.s.token_file);
  CHECK(f.flags.origins().front() ==
        std::pair<std::string, std::string>{"--concurrency", "default"});
}

TEST_CASE("a flag beats the environment, which beats the default", "[flags]") {
  fixture f(env_map{{"VMTERM_CONCURRENCY", "8"}, {"CELERY_BROKER_URL", "redis://b:1/2"}});
  REQUIRE(f.parse({"--concurrency", "2"}));
  CHECK(f.s.concurrency == 2);
  CHECK(f.s.broker == "redis://b:1/2");
  const auto origins = f.flags.origins();
  CHECK(origins[0].second == "--concurrency");
  CHECK(origins[1].second == "CELERY_BROKER_URL");
}

TEST_CASE("the first environment variable that is set wins", "[flags]") {
  fixture f(env_map{{"VMTERM_REDIS_URL", "redis://a:1/0"}, {"CELERY_BROKER_URL", "redis://b:1/0"}});
  REQUIRE(f.parse({}));
  CHECK(f.s.broker == "redis://a:1/0");
}

TEST_CASE("a bare number in a duration flag means seconds", "[flags]") {
  fixture f;
  REQUIRE(f.parse({"--shutdown-timeout", "2"}));
  CHECK(f.s.timeout == 2s);
  fixture g;
  REQUIRE(g.parse({"--shutdown-timeout", "250ms"}));
  CHECK(g.s.timeout == 250ms);
}

TEST_CASE("a microsecond duration flag takes us, ms and bare seconds", "[flags]") {
  for (const auto& [text, want] : std::vector<std::pair<std::string, std::chrono::microseconds>>{
           {"75us", 75us}, {"2ms", 2ms}, {"0", 0us}, {"1", 1s}}) {
    INFO(text);
    CLI::App app{"test"};
    std::chrono::microseconds v{};
    flag_set flags(app, fake_env({}));
    flags.add(v, flag<std::chrono::microseconds>{.name = "--busy-poll",
                                                 .value_name = "DURATION",
                                                 .help = "poll before blocking",
                                                 .fallback = 250us});
    CHECK(app.help().find("poll before blocking (default 250us)") != std::string::npos);
    REQUIRE(parse_args(app, flags, {"--busy-poll", text}));
    CHECK(v == want);
  }
}

TEST_CASE("bad flag values name the flag, the value and the fix", "[flags]") {
  fixture f;
  auto r = f.parse({"--concurrency", "abc"});
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "--concurrency: 'abc' is not a whole number");
  fixture g;
  r = g.parse({"--concurrency", "0"});
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "--concurrency '0': must be at least 1");
  fixture h;
  r = h.parse({"--shutdown-timeout", "soon"});
  REQUIRE_FALSE(r);
  CHECK(r.error().message ==
        "--shutdown-timeout: 'soon' is not a duration; use a whole number with a unit such as "
        "250ms, 10s, 5m or 2h");
}

TEST_CASE("bad environment values name the variable and say to fix or unset it", "[flags]") {
  fixture f(env_map{{"VMTERM_CONCURRENCY", "many"}});
  auto r = f.parse({});
  REQUIRE_FALSE(r);
  CHECK(r.error().message ==
        "environment variable VMTERM_CONCURRENCY='many': 'many' is not a whole number; fix or "
        "unset VMTERM_CONCURRENCY");
  fixture g(env_map{{"VMTERM_EARLY_ACK", "maybe"}});
  r = g.parse({});
  REQUIRE_FALSE(r);
  CHECK(r.error().message ==
        "environment variable VMTERM_EARLY_ACK='maybe': 'maybe' is not a boolean; use true or "
        "false; fix or unset VMTERM_EARLY_ACK");
}

TEST_CASE("bool flags take no value; the environment gives true or false", "[flags]") {
  fixture f(env_map{{"VMTERM_EARLY_ACK", "true"}});
  REQUIRE(f.parse({}));
  CHECK(f.s.early_ack);
  fixture g;
  REQUIRE(g.parse({"--early-ack"}));
  CHECK(g.s.early_ack);
}

TEST_CASE("list flags repeat and split at commas, from flags and the environment", "[flags]") {
  fixture f;
  REQUIRE(f.parse({"-Q", "high,default", "--queues", "low"}));
  CHECK(f.s.queues == std::vector<std::string>{"high", "default", "low"});
  fixture g(env_map{{"VMTERM_QUEUES", "a, b"}});
  REQUIRE(g.parse({}));
  CHECK(g.s.queues == std::vector<std::string>{"a", "b"});
}

TEST_CASE("the --help lines carry the environment variables and the default", "[flags]") {
  fixture f;
  const std::string help = f.app.help();
  CHECK(help.find("the Redis broker; env VMTERM_REDIS_URL, CELERY_BROKER_URL (default "
                  "redis://127.0.0.1:6379/0)") != std::string::npos);
  CHECK(help.find("finish running tasks (default 30s)") != std::string::npos);
  CHECK(help.find("ack before running; env VMTERM_EARLY_ACK\n") != std::string::npos);
  CHECK(help.find("read the token here\n") != std::string::npos);
}

TEST_CASE("default texts of durations use the largest exact unit", "[flags]") {
  using vmterm::config::default_text;
  CHECK(default_text(std::chrono::milliseconds(60s)) == "1m");
  CHECK(default_text(std::chrono::milliseconds(90s)) == "90s");
  CHECK(default_text(std::chrono::milliseconds(1500)) == "1500ms");
  CHECK(default_text(std::chrono::milliseconds(24h)) == "1d");
  CHECK(default_text(std::chrono::milliseconds(0)) == "0");
  CHECK(default_text(std::chrono::microseconds(250)) == "250us");
  CHECK(default_text(std::chrono::microseconds(2000)) == "2ms");
  CHECK(default_text(std::chrono::microseconds(0)) == "0");
}

namespace {
using env_map = std::map<std::string, std::string>;
std::string usage_of(CLI::App& app, std::vector<std::string> args) {
  std::vector<const char*> argv{"vmterm-test"};
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), const_cast<char**>(argv.data()));
  } catch (const CLI::ParseError& e) {
    return vmterm::config::usage_message(app, e, "vmterm-test");
  }
  return "(parsed)";
}
}  // namespace

TEST_CASE("CLI11's errors become the tool's own sentences", "[flags]") {
  fixture f;
  CHECK(usage_of(f.app, {"--bogus"}) ==
        "vmterm-test: unknown flag '--bogus'; see vmterm-test --help");
  fixture g;
  CHECK(usage_of(g.app, {"--concurrency"}) ==
        "vmterm-test: --concurrency needs a value; see vmterm-test --help");
  CLI::App app{"x"};
  app.require_subcommand(1);
  app.add_subcommand("show", "");
  app.add_subcommand("search", "");
  CHECK(usage_of(app, {}) ==
        "vmterm-test: no command given; give one of show, search; see vmterm-test --help");
  CLI::App app2{"x"};
  app2.require_subcommand(1);
  app2.add_subcommand("show", "");
  app2.add_subcommand("search", "");
  CHECK(usage_of(app2, {"bogus"}) ==
        "vmterm-test: unknown command 'bogus'; give one of show, search");
}

TEST_CASE("parse_command_line parses, resolves and gives the exit code to return", "[flags]") {
  const auto run = [](fixture& f, std::vector<const char*> argv) {
    argv.insert(argv.begin(), "vmterm-test");
    // The refusal goes to stderr; silence it here, the exit code is what is checked.
    std::stringstream sink;
    auto* old = std::cerr.rdbuf(sink.rdbuf());
    const auto code = vmterm::config::parse_command_line(
        f.app, static_cast<int>(argv.size()), argv.data(), "vmterm-test", {&f.flags, nullptr});
    std::cerr.rdbuf(old);
    return std::pair{code, sink.str()};
  };
  fixture ok;
  CHECK(run(ok, {"-c", "7"}).first == std::nullopt);
  CHECK(ok.s.concurrency == 7);
  fixture bad_flag;
  CHECK(run(bad_flag, {"--bogus"}) ==
        std::pair{std::optional<int>(2),
                  std::string("vmterm-test: unknown flag '--bogus'; see vmterm-test --help\n")});
  fixture bad_value;
  CHECK(run(bad_value, {"-c", "0"}) ==
        std::pair{std::optional<int>(2),
                  std::string("vmterm-test: --concurrency '0': must be at least 1\n")});
}

namespace {

/// A flag set with the declaration forms serve and the worker use.
struct custom_fixture {
  CLI::App app{"test"};
  std::size_t sessions = 0;
  int concurrency = 0;
  std::optional<std::string> url;
  std::vector<std::string> tasks;
  std::string log_format, log_level;
  flag_set flags;

  explicit custom_fixture(std::map<std::string, std::string> env = {}) : flags(app, fake_env(env)) {
    flags.add(sessions,
              flag<std::size_t>{.name = "--max-sessions",
                                .value_name = "N",
                                .help = "at most this many",
                                .fallback = 16,
                                .parse = [](std::string_view t) -> vmterm::expected<std::size_t> {
                                  auto n = vmterm::parse::integer(t, 1, 100);
                                  if (!n) return tl::unexpected(n.error());
                                  return static_cast<std::size_t>(*n);
                                },
                                .default_note = "; 0: never"});
    flags.add(concurrency, flag<int>{.name = "--concurrency",
                                     .help = "run this many",
                                     .fallback = 4,
                                     .parse = [](std::string_view) -> vmterm::expected<int> {
                                       return vmterm::fail(std::errc::invalid_argument,
                                                           "must be 1 to 10");
                                     },
                                     .quote_text = true});
    flags.add(url,
              flag<std::optional<std::string>>{
                  .name = "--redis-url",
                  .env = {"VMTERM_REDIS_URL"},
                  .help = "a Redis",
                  .parse = [](std::string_view t) -> vmterm::expected<std::optional<std::string>> {
                    if (t.rfind("redis://", 0) != 0) {
                      return vmterm::fail(std::errc::invalid_argument, "not a redis:// URL");
                    }
                    return std::string(t);
                  },
                  .default_note = ": no Redis check",
                  .secret = true});
    flags.add(tasks, list_flag<std::string>{
                         .name = "--task", .help = "a shell task", .split_commas = false});
    vmterm::config::add_log_flags(flags, log_format, log_level);
  }

  vmterm::expected<void> parse(const std::vector<std::string>& args) {
    return parse_args(app, flags, args);
  }
};

}  // namespace

TEST_CASE("a flag's own parser gives the value and the reason its errors state", "[flags]") {
  custom_fixture f;
  REQUIRE(f.parse({"--max-sessions", "7"}));
  CHECK(f.sessions == 7);
  custom_fixture g;
  auto r = g.parse({"--max-sessions", "0"});
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "--max-sessions: '0' is out of range; use a number from 1 to 100");
  custom_fixture h;
  r = h.parse({"--concurrency", "abc"});
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "--concurrency 'abc': must be 1 to 10");  // quote_text
}

TEST_CASE("a secret value is never repeated in its errors", "[flags]") {
  custom_fixture f(env_map{{"VMTERM_REDIS_URL", "http://user:hunter2@x"}});
  auto r = f.parse({});
  REQUIRE_FALSE(r);
  CHECK(r.error().message ==
        "environment variable VMTERM_REDIS_URL: not a redis:// URL; fix or unset "
        "VMTERM_REDIS_URL");
  custom_fixture g;
  r = g.parse({"--redis-url", "http://user:hunter2@x"});
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "--redis-url: not a redis:// URL");
}

TEST_CASE("a default's note, a list without comma splitting, origins and the log flags",
          "[flags]") {
  custom_fixture f(env_map{{"VMTERM_LOG_LEVEL", "debug"}});
  const std::string help = f.app.help();
  CHECK(help.find("at most this many (default 16; 0: never)") != std::string::npos);
  CHECK(help.find("a Redis; env VMTERM_REDIS_URL (default: no Redis check)") != std::string::npos);
  CHECK(help.find("json (one object per line) or text; env VMTERM_LOG_FORMAT (default json)") !=
        std::string::npos);
  REQUIRE(f.parse({"--task", "a=echo 1,2", "--task", "b=[ -f x ]"}));
  CHECK(f.tasks == std::vector<std::string>{"a=echo 1,2", "b=[ -f x ]"});
  CHECK(f.flags.origin_of("--task") == "--task");
  CHECK(f.flags.origin_of("--log-level") == "VMTERM_LOG_LEVEL");
  CHECK(f.flags.origin_of("--max-sessions") == "default");
  CHECK(f.flags.origin_of("--nothing").empty());
  CHECK(f.log_level == "debug");
  custom_fixture g;
  auto r = g.parse({"--log-format", "xml"});
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "--log-format: unknown log format 'xml'; use json or text");
}

TEST_CASE("the version flag names the tool and the project version", "[flags]") {
  const auto line = vmterm::config::version_line("vmterm-test");
  CHECK(line.rfind("vmterm-test " + std::string(vmterm::core::version()), 0) == 0);
  CLI::App app{"x"};
  vmterm::config::add_version_flag(app, "vmterm-test");
  std::vector<const char*> argv{"vmterm-test", "--version"};
  try {
    app.parse(2, const_cast<char**>(argv.data()));
    FAIL("--version did not end the parse");
  } catch (const CLI::CallForVersion& e) {
    CHECK(std::string(e.what()) == line);
    CHECK(e.get_exit_code() == 0);
  }
}

TEST_CASE("sizes read back in the largest exact binary unit", "[flags]") {
  CHECK(vmterm::parse::size_text(1 << 20) == "1MiB");
  CHECK(vmterm::parse::size_text(64 << 10) == "64KiB");
  CHECK(vmterm::parse::size_text(1000) == "1000");
  CHECK(vmterm::parse::size_text(0) == "0");
}
