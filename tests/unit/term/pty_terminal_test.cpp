#include "term/pty_terminal.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <functional>
#include <optional>

using namespace vmterm::term;
using namespace std::chrono_literals;

namespace {

/// Runs a PTY session on its own io_context until it exits or `limit` passes.
struct session {
  boost::asio::io_context io;
  std::shared_ptr<pty_terminal> term;
  std::string output;
  std::optional<int> exit_code;

  explicit session(std::vector<std::string> command, term_size size = {80, 24}) {
    term = pty_terminal::create(io.get_executor(), {.command = std::move(command)});
    auto started =
        term->start(size, {.on_output = [this](std::string_view b) { output += b; },
                           .on_exit = [this](int code, std::string_view) { exit_code = code; }});
    REQUIRE(started);
  }
  /// Runs until `done` or the limit; true when done.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io.run_for(10ms);
      if (io.stopped()) io.restart();
    }
    return done();
  }
};

}  // namespace

TEST_CASE("a PTY command's output and exit status arrive", "[term][pty]") {
  session s({"sh", "-c", "echo vmterm-$((6*7)); exit 3"});
  REQUIRE(s.run_until([&] { return s.exit_code.has_value(); }));
  CHECK(s.exit_code == 3);
  CHECK(s.output == "vmterm-42\r\n");  // the PTY turns \n into \r\n
}

TEST_CASE("the shell starts at the requested size and follows resizes", "[term][pty]") {
  session s({"sh", "-c", "stty size; read line; stty size"}, {120, 40});
  REQUIRE(s.run_until([&] { return s.output.find("40 120") != std::string::npos; }));
  s.term->resize({100, 30});
  s.term->write("go\n");
  REQUIRE(s.run_until([&] { return s.exit_code.has_value(); }));
  CHECK(s.output.find("30 100") != std::string::npos);
}

TEST_CASE("input written to the terminal reaches the program, with TERM set", "[term][pty]") {
  session s({"sh", "-c", "read a; echo \"got:$a:$TERM\""});
  s.term->write("hello\n");
  REQUIRE(s.run_until([&] { return s.exit_code.has_value(); }));
  CHECK(s.output.find("got:hello:xterm-256color") != std::string::npos);
}

TEST_CASE("input larger than the PTY takes at once reaches the program whole and in order",
          "[term][pty]") {
  // Raw mode: no line-length limit. head ends only once all 300,000 bytes came; tr -s shows
  // the three runs in the order they were written (the first write goes straight to the PTY,
  // the rest queues behind it).
  session s({"sh", "-c", "stty raw -echo; echo ready; head -c 300000 | tr -s abc; echo ."});
  REQUIRE(s.run_until([&] { return s.output.find("ready") != std::string::npos; }));
  s.term->write(std::string(100000, 'a'));
  s.term->write(std::string(100000, 'b'));
  s.term->write(std::string(100000, 'c'));
  REQUIRE(s.run_until([&] { return s.exit_code.has_value(); }, 30s));
  CHECK(s.output.find("abc.") != std::string::npos);
}

TEST_CASE("close hangs up the shell and reports how it ended", "[term][pty]") {
  session s({"sh", "-c", "echo ready; sleep 60"});
  REQUIRE(s.run_until([&] { return s.output.find("ready") != std::string::npos; }));
  s.term->close();
  REQUIRE(s.run_until([&] { return s.exit_code.has_value(); }, 5s));
  CHECK(s.exit_code == 128 + SIGHUP);
}

TEST_CASE("while paused no output is read; on resume it all arrives", "[term][pty]") {
  session s({"sh", "-c", "read go; head -c 300000 /dev/zero | tr '\\0' x; echo; echo end"});
  s.term->pause();
  s.term->write("go\n");
  s.run_until([] { return false; }, 300ms);
  const auto while_paused = s.output.size();
  CHECK(while_paused < 1000);  // at most the echoed "go" line
  CHECK_FALSE(s.exit_code.has_value());
  s.term->resume();
  REQUIRE(s.run_until([&] { return s.exit_code.has_value(); }));
  CHECK(s.exit_code == 0);
  CHECK(std::count(s.output.begin(), s.output.end(), 'x') == 300000);
  CHECK(s.output.find("end") != std::string::npos);
}

TEST_CASE("output written just before exit is not lost", "[term][pty]") {
  for (int i = 0; i < 5; ++i) {
    session s({"sh", "-c", "seq 1 2000; exit 7"});
    REQUIRE(s.run_until([&] { return s.exit_code.has_value(); }));
    CHECK(s.exit_code == 7);
    CHECK(s.output.find("\r\n2000\r\n") != std::string::npos);
  }
}

TEST_CASE("a command that cannot start says so and exits 127", "[term][pty]") {
  session s({"/nonexistent/shell"});
  REQUIRE(s.run_until([&] { return s.exit_code.has_value(); }));
  CHECK(s.exit_code == 127);
  CHECK(s.output.find("vmterm: cannot start the shell: No such file or directory") !=
        std::string::npos);
}
