// The shell-task runner against real /bin/sh children: the contract of vmterm-worker(1)
// (stdin and VMTERM_TASK_ARGS, TRACEPARENT, stdout as the result, exit status, stderr's tail,
// time limits on the process group, terminate, close-on-exec).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>

#include "shell_task.hpp"

using vmterm::worker::task_call;
using vmterm::worker::task_outcome;
namespace net = boost::asio;
using namespace std::chrono_literals;

namespace {

struct run_result {
  task_outcome outcome;
  std::chrono::milliseconds took{};
};

run_result run(
    const std::string& command, task_call call = {},
    const std::function<void(vmterm::worker::running_task&, net::io_context&)>& poke = {}) {
  net::io_context ioc;
  std::optional<task_outcome> got;
  if (call.id.empty()) call.id = "0f0e0d0c-0000-4000-8000-000000000001";
  if (call.name.empty()) call.name = "t";
  const auto start = std::chrono::steady_clock::now();
  auto task = vmterm::worker::start_shell_task(ioc.get_executor(), command, call,
                                               [&](task_outcome o) { got = std::move(o); });
  if (poke && task) poke(*task, ioc);
  ioc.run_for(20s);
  REQUIRE(got.has_value());
  return {*got, std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - start)};
}

}  // namespace

TEST_CASE("a shell task's JSON stdout is its result", "[worker]") {
  auto r = run(R"(echo '{"sum": 5}')");
  CHECK(r.outcome.ok);
  CHECK(r.outcome.result == vmterm::worker::json{{"sum", 5}});
}

TEST_CASE("a shell task's non-JSON stdout is a string without its last newline", "[worker]") {
  auto r = run("echo hello world");
  CHECK(r.outcome.ok);
  CHECK(r.outcome.result == "hello world");
  CHECK(run("true").outcome.result.is_null());
}

TEST_CASE("a shell task reads its arguments as JSON on stdin and in VMTERM_TASK_ARGS", "[worker]") {
  task_call call;
  call.args = {2, 3};
  call.kwargs = {{"z", 4}};
  const std::string expected = R"({"args":[2,3],"kwargs":{"z":4}})";
  CHECK(run("cat", call).outcome.result == vmterm::worker::json::parse(expected));
  CHECK(run("printf %s \"$VMTERM_TASK_ARGS\"", call).outcome.result ==
        vmterm::worker::json::parse(expected));
  CHECK(run("echo \"$VMTERM_TASK_ID $VMTERM_TASK_NAME\"", call).outcome.result ==
        "0f0e0d0c-0000-4000-8000-000000000001 t");
}

TEST_CASE("a command that exits without reading its stdin does not kill the runner", "[worker]") {
  // Arguments larger than a pipe's buffer: our write meets a closed pipe (EPIPE), which under
  // SIGPIPE's default action ended the whole test process now and then.
  REQUIRE(::signal(SIGPIPE, SIG_DFL) != SIG_ERR);
  task_call call;
  call.args = {std::string(512 * 1024, 'x')};
  for (int i = 0; i < 5; ++i) {
    auto r = run("exit 0", call);
    CHECK(r.outcome.ok);
  }
  auto r = run("head -c 5", call);
  CHECK(r.outcome.ok);
  CHECK(r.outcome.result == "{\"arg");
}

TEST_CASE("a shell task gets the run span's TRACEPARENT", "[worker]") {
  task_call call;
  call.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  CHECK(run("echo \"$TRACEPARENT\"", call).outcome.result == call.traceparent);
  CHECK(run("echo \"${TRACEPARENT-unset}\"").outcome.result == "unset");
}

TEST_CASE("a non-zero exit is a failure with stderr's tail as the traceback", "[worker]") {
  auto r = run("echo partial; echo 'it went wrong' >&2; exit 3");
  CHECK_FALSE(r.outcome.ok);
  CHECK(r.outcome.exc_type == "CommandFailed");
  CHECK(r.outcome.exc_module == "vmterm");
  CHECK(r.outcome.exc_message == "the command exited with status 3");
  CHECK(r.outcome.traceback == "it went wrong\n");
  // Only the tail of a long stderr is kept.
  auto big = run("head -c 100000 /dev/zero | tr '\\0' x >&2; echo END >&2; exit 1");
  CHECK(big.outcome.traceback.size() == vmterm::worker::shell_traceback_limit);
  CHECK(big.outcome.traceback.ends_with("xEND\n"));
}

TEST_CASE("the hard time limit kills the whole process group", "[worker]") {
  task_call call;
  call.hard_limit = 300ms;
  // A grandchild that ignores SIGTERM would keep the pipes open if the group were not killed.
  auto r = run("trap '' TERM; sleep 30 & sleep 30; wait", call);
  CHECK_FALSE(r.outcome.ok);
  CHECK(r.outcome.exc_type == "TimeLimitExceeded");
  CHECK(r.outcome.exc_message == "hard time limit (300ms) exceeded; the command was killed");
  CHECK(r.took < 3s);
}

TEST_CASE("the soft time limit sends SIGTERM first; a command that exits on it fails", "[worker]") {
  task_call call;
  call.soft_limit = 200ms;
  call.hard_limit = 5s;
  auto r = run("trap 'echo got TERM >&2; exit 143' TERM; sleep 10 & wait", call);
  CHECK_FALSE(r.outcome.ok);
  CHECK(r.outcome.exc_type == "SoftTimeLimitExceeded");
  CHECK(r.outcome.traceback == "got TERM\n");
  CHECK(r.took < 3s);
  // A command that handles SIGTERM and finishes cleanly succeeds.
  auto ok = run("trap 'echo cleaned; exit 0' TERM; sleep 10 & wait", call);
  CHECK(ok.outcome.ok);
  CHECK(ok.outcome.result == "cleaned");
}

TEST_CASE("terminate signals the task's group and reports Terminated", "[worker]") {
  auto r = run("sleep 30", {}, [](vmterm::worker::running_task& t, net::io_context&) {
    CHECK(t.terminate(SIGTERM));
  });
  CHECK_FALSE(r.outcome.ok);
  CHECK(r.outcome.exc_type == "Terminated");
  CHECK(r.outcome.exc_message == "terminated by SIGTERM");
  CHECK(r.took < 3s);
}

TEST_CASE("a shell task inherits no descriptor above 2", "[worker]") {
  // A descriptor without close-on-exec in the worker must still not reach the child.
  const int leak = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC on purpose
  REQUIRE(leak > 2);
  auto r = run("ls /proc/self/fd | sort -n | tr '\\n' ' '");
  ::close(leak);
  // 0, 1, 2 and the descriptor ls opened to read the directory.
  CHECK(r.outcome.result == "0 1 2 3 ");
}

TEST_CASE("a shell task runs in its own process group", "[worker]") {
  auto r = run("ps -o pgid= -p $$; echo $$");
  REQUIRE(r.outcome.ok);
  std::istringstream in(r.outcome.result.get<std::string>());
  long pgid = 0, pid = 0;
  in >> pgid >> pid;
  CHECK(pgid == pid);
  CHECK(pgid != ::getpgrp());
}

TEST_CASE("a command left running in the background does not hold the task", "[worker]") {
  auto r = run("sleep 30 & echo done");
  CHECK(r.outcome.ok);
  CHECK(r.outcome.result == "done");
  CHECK(r.took < 2s);
}

TEST_CASE("shell_result reads JSON, text and blank output", "[worker]") {
  using vmterm::worker::shell_result;
  CHECK(shell_result("5\n") == 5);
  CHECK(shell_result("[1, 2]") == vmterm::worker::json{1, 2});
  CHECK(shell_result("\"s\"") == "s");
  CHECK(shell_result("two\nlines\n") == "two\nlines");
  CHECK(shell_result("").is_null());
  CHECK(shell_result(" \n").is_null());
}
