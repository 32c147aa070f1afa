// Task names and the --task / --tasks-file forms, with their exact error texts; the built-ins.
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <optional>

#include "blocking_pool.hpp"
#include "task_registry.hpp"
#include "temp_dir.hpp"

using namespace vmterm::worker;
namespace net = boost::asio;

TEST_CASE("parse_task_spec splits NAME=COMMAND at the first '='", "[worker]") {
  auto s = parse_task_spec("tasks.add=jq '.args[0] + .args[1]'");
  REQUIRE(s);
  CHECK(s->first == "tasks.add");
  CHECK(s->second == "jq '.args[0] + .args[1]'");
  auto eq = parse_task_spec("x=a=b");
  REQUIRE(eq);
  CHECK(eq->second == "a=b");
}

TEST_CASE("parse_task_spec names the bad text and the fix", "[worker]") {
  CHECK(parse_task_spec("add").error().message ==
        "'add' has no '='; write NAME=COMMAND, e.g. add=./add.sh");
  CHECK(parse_task_spec("a b=true").error().message ==
        "'a b=true': task name 'a b' is not a name; use letters, digits and . _ - : (e.g. "
        "tasks.add)");
  CHECK(parse_task_spec("add=  ").error().message ==
        "'add=  ': the command is empty; write NAME=COMMAND");
}

TEST_CASE("read_tasks_file skips comments and blank lines and names a bad line", "[worker]") {
  vmterm::test::temp_dir dir;
  const auto path = (dir.path() / "tasks").string();
  std::ofstream(path) << "# tasks\n\nadd=jq '.args|add'\n  fail=exit 1\nbad\n";
  auto r = read_tasks_file(path);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == path + ":5: 'bad' has no '='; write NAME=COMMAND, e.g. add=./add.sh");
  std::ofstream(path) << "# tasks\n\nadd=jq '.args|add'\n";
  auto ok = read_tasks_file(path);
  REQUIRE(ok);
  REQUIRE(ok->size() == 1);
  CHECK((*ok)[0].first == "add");
  CHECK(read_tasks_file(path + ".missing").error().message ==
        "cannot read tasks file '" + path +
            ".missing'; give a readable file of NAME=COMMAND lines");
}

namespace {
task_call named(const char* name) {
  task_call c;
  c.name = name;
  return c;
}

task_outcome run_builtin(task_registry& reg, task_call call) {
  net::io_context ioc;
  std::optional<task_outcome> got;
  if (call.id.empty()) call.id = "id-1";
  auto t = reg.start(ioc.get_executor(), call, [&](task_outcome o) { got = std::move(o); });
  // health_check posts its outcome from the pool: keep running until it arrives.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (!got && std::chrono::steady_clock::now() < deadline) {
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(20));
  }
  REQUIRE(got);
  return *got;
}
}  // namespace

TEST_CASE("the built-ins: noop, echo, sleep", "[worker]") {
  blocking_pool pool(1);
  task_registry reg({}, pool);
  for (auto name : {"noop", "echo", "sleep", "health_check"}) CHECK(reg.contains(name));
  CHECK_FALSE(reg.contains("nope"));
  CHECK(run_builtin(reg, named("noop")).result.is_null());
  task_call echo = named("echo");
  echo.args = {1, "two"};
  CHECK(run_builtin(reg, echo).result == vmterm::worker::json{1, "two"});
  task_call sleep = named("sleep");
  sleep.args = {0.05};
  CHECK(run_builtin(reg, sleep).ok);
  sleep.args = {"x"};
  auto bad = run_builtin(reg, sleep);
  CHECK_FALSE(bad.ok);
  CHECK(bad.exc_message == "sleep takes one argument, the seconds (0 to 86400)");
}

TEST_CASE("health_check fails with the URL when nothing answers", "[worker]") {
  blocking_pool pool(1);
  task_registry reg({.health_url = "http://127.0.0.1:1/health-check/"}, pool);
  auto o = run_builtin(reg, named("health_check"));
  CHECK_FALSE(o.ok);
  CHECK(o.exc_type == "HealthCheckFailed");
  CHECK(o.exc_message.starts_with("GET 'http://127.0.0.1:1/health-check/': "));
}

TEST_CASE("a shell task shadows a built-in of the same name", "[worker]") {
  blocking_pool pool(1);
  task_registry reg({}, pool);
  reg.add_shell("echo", "echo shell");
  CHECK(run_builtin(reg, named("echo")).result == "shell");
}
