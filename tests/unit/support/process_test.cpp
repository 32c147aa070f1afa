#include "process.hpp"

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "temp_dir.hpp"

using namespace vmterm::test;

TEST_CASE("run captures stdout, stderr and the exit code", "[support]") {
  const auto r = run({"sh", "-c", "echo out; echo err >&2; exit 7"});
  CHECK(r.exit_code == 7);
  CHECK(r.out == "out\n");
  CHECK(r.err == "err\n");
  CHECK_FALSE(r.timed_out);
}

TEST_CASE("run feeds stdin and reads more than a pipe buffer without deadlock", "[support]") {
  std::string input(300000, 'x');
  const auto r = run({"sh", "-c", "cat; head -c 200000 /dev/zero >&2"}, {.input = input});
  CHECK(r.exit_code == 0);
  CHECK(r.out.size() == input.size());
  CHECK(r.err.size() == 200000);
}

TEST_CASE("run applies environment changes on top of the test's environment", "[support]") {
  ::setenv("VMTERM_TEST_REMOVE_ME", "1", 1);
  run_options o;
  o.env["VMTERM_TEST_ADDED"] = "hello";
  o.env["VMTERM_TEST_REMOVE_ME"] = std::nullopt;
  const auto r = run(
      {"sh", "-c", "echo ${VMTERM_TEST_ADDED}-${VMTERM_TEST_REMOVE_ME-unset}-${PATH:+path}"}, o);
  CHECK(r.out == "hello-unset-path\n");
}

TEST_CASE("run kills a command that outlives its timeout, children included", "[support]") {
  const auto start = std::chrono::steady_clock::now();
  const auto r = run({"sh", "-c", "sleep 30 & sleep 30"}, {.timeout = 300ms});
  CHECK(r.timed_out);
  CHECK(r.exit_code == 128 + SIGKILL);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("run's timeout holds when the command closes its output and keeps running", "[support]") {
  const auto r = run({"sh", "-c", "exec >/dev/null 2>&1; sleep 30"}, {.timeout = 300ms});
  CHECK(r.timed_out);
}

TEST_CASE("a program that does not exist is an error naming it", "[support]") {
  CHECK_THROWS_WITH(run({"/nonexistent/vmterm-nope"}),
                    "cannot start '/nonexistent/vmterm-nope': No such file or directory");
}

TEST_CASE("child_process stops its whole process group on destruction", "[support]") {
  temp_dir dir;
  pid_t grandchild = 0;
  {
    child_process p(
        {.argv = {"sh", "-c", "sleep 60 & echo $! > " + (dir / "pid").string() + "; wait"}});
    REQUIRE(p.running());
    for (int i = 0; i < 200 && read_file(dir / "pid").empty(); ++i) {
      std::this_thread::sleep_for(10ms);
    }
    grandchild = std::stoi(read_file(dir / "pid"));
  }
  // The grandchild was killed with the group; once its parent is reaped it is gone or a zombie
  // of init, never still sleeping.
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    gone =
        ::kill(grandchild, 0) != 0 ||
        read_file("/proc/" + std::to_string(grandchild) + "/stat").find(" Z ") != std::string::npos;
    if (!gone) std::this_thread::sleep_for(10ms);
  }
  CHECK(gone);
}

TEST_CASE("child_process reports the exit code of a service that died", "[support]") {
  child_process p({.argv = {"sh", "-c", "exit 4"}});
  for (int i = 0; i < 500 && p.running(); ++i) std::this_thread::sleep_for(10ms);
  CHECK(p.exit_code() == 4);
}

TEST_CASE("run_tool runs programs from the build's bin directory and names a missing one",
          "[support]") {
  CHECK(bin_dir().filename() == "bin");
  CHECK(std::filesystem::exists(source_dir() / "CMakeLists.txt"));
  CHECK_THROWS_WITH(run_tool("vmterm-no-such-tool", {"--help"}),
                    "cannot start '" + (bin_dir() / "vmterm-no-such-tool").string() +
                        "': No such file or directory");
}
