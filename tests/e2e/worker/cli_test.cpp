// vmterm-worker as a user runs it: exact messages and exit codes for bad input.
#include <catch2/catch.hpp>

#include "process.hpp"

using namespace vmterm::test;

namespace {
run_result worker(std::vector<std::string> args, env_changes env = {}) {
  env["OTEL_TRACES_EXPORTER"] = "none";
  for (const char* v : {"VMTERM_REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"}) {
    if (!env.count(v)) env[v] = std::nullopt;
  }
  return run_tool("vmterm-worker", args, {.env = env, .timeout = std::chrono::seconds(20)});
}
}  // namespace

TEST_CASE("bad flag values exit 2 naming the flag, the value and the fix", "[worker][cli]") {
  auto c = worker({"--concurrency", "abc"});
  CHECK(c.exit_code == 2);
  CHECK(c.err == "vmterm-worker: --concurrency 'abc': must be a whole number from 1 to 10000\n");
  auto d = worker({"--shutdown-timeout", "soon"});
  CHECK(d.exit_code == 2);
  CHECK(d.err ==
        "vmterm-worker: --shutdown-timeout 'soon': 'soon' is not a duration; give e.g. "
        "30s, 500ms or 2m\n");
  auto b = worker({"--busy-poll", "5s"});
  CHECK(b.exit_code == 2);
  CHECK(b.err ==
        "vmterm-worker: --busy-poll '5s': at most 10ms; give e.g. 250us, or 0 to block at once\n");
  auto s = worker({"call", "noop", "--wait", "--busy-poll", "soon"});
  CHECK(s.exit_code == 2);
  CHECK(s.err ==
        "vmterm-worker: --busy-poll 'soon': 'soon' is not a duration; give e.g. 250us, 1ms or 0\n");
  auto t = worker({"--task", "add"});
  CHECK(t.exit_code == 2);
  CHECK(t.err == "vmterm-worker: --task 'add' has no '='; write NAME=COMMAND, e.g. add=./add.sh\n");
  auto p = worker({"call", "noop", "--priority", "12"});
  CHECK(p.exit_code == 2);
  CHECK(p.err == "vmterm-worker: --priority '12': must be a whole number from 0 to 9\n");
  auto u = worker({"--bogus"});
  CHECK(u.exit_code == 2);
  CHECK(u.err == "vmterm-worker: unknown flag '--bogus'; see vmterm-worker --help\n");
}

TEST_CASE("a bad broker URL exits 2 with the URL's problem", "[worker][cli]") {
  auto r = worker({"call", "noop", "--broker", "http://127.0.0.1:6379/0"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.starts_with("vmterm-worker: --broker: redis URL 'http://127.0.0.1:6379/0'"));
}

TEST_CASE("bad --args and --kwargs JSON exit 2 with an example", "[worker][cli]") {
  auto a = worker({"call", "add", "--args", "[2,"});
  CHECK(a.exit_code == 2);
  CHECK(a.err ==
        "vmterm-worker: --args '[2,': not JSON; give a JSON array, e.g. --args '[2, 3]'\n");
  auto o = worker({"call", "add", "--args", "{}"});
  CHECK(o.err ==
        "vmterm-worker: --args '{}': not an array; give a JSON array, e.g. --args '[2, 3]'\n");
  auto k = worker({"call", "add", "--kwargs", "[1]"});
  CHECK(k.exit_code == 2);
  CHECK(k.err ==
        "vmterm-worker: --kwargs '[1]': not an object; give a JSON object, e.g. --kwargs '{\"z\": "
        "4}'\n");
}

TEST_CASE("an unreachable Redis exits 1 naming the URL", "[worker][cli]") {
  auto r = worker({"call", "noop", "--broker", "redis://127.0.0.1:1/0"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.starts_with("vmterm-worker: redis 'redis://127.0.0.1:1/0': "));
  CHECK(r.err.find("connection refused") != std::string::npos);
  auto w = worker({"--broker", "redis://127.0.0.1:1/0", "--log-format", "text"});
  CHECK(w.exit_code == 1);
  CHECK(w.err.find("redis 'redis://127.0.0.1:1/0'") != std::string::npos);
}

TEST_CASE("help lists the subcommands and the flags", "[worker][cli]") {
  auto h = worker({"--help"});
  CHECK(h.exit_code == 0);
  for (const char* s : {"call", "inspect", "--broker", "--concurrency", "--task"}) {
    INFO(s);
    CHECK(h.out.find(s) != std::string::npos);
  }
}
