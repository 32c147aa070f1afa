// show --follow: new traces appended to a file while vmterm-trace runs are printed once
// complete; traces already in the file are not.
#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "small_trace.hpp"
#include "trace_cli.hpp"

using namespace vmterm::test;
using namespace vmterm::test::trace_cli;
using namespace std::chrono_literals;

namespace {

bool wait_for_text(const std::filesystem::path& file, const std::string& text,
                   std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (read_file(file).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

/// The small trace with another trace id (last hex digit replaced).
std::string other_trace_line(char last) {
  auto line = small_trace_line();
  for (auto pos = line.find(small_trace_id); pos != std::string::npos;
       pos = line.find(small_trace_id, pos + 1)) {
    line[pos + small_trace_id.size() - 1] = last;
  }
  return line;
}

}  // namespace

TEST_CASE("show --follow prints traces appended while it runs", "[trace]") {
  temp_dir dir("vmterm-trace-follow");
  const auto file = dir / "traces.jsonl";
  write_file(file, small_trace_line());  // already there: not printed
  const auto out = dir / "out.txt";
  auto opt = clean({});
  std::vector<std::string> argv{(bin_dir() / "vmterm-trace").string(),
                                "--file",
                                file.string(),
                                "--color",
                                "never",
                                "--width",
                                "0",
                                "show",
                                "--follow"};
  spawn_options spawn{.argv = argv,
                      .env = opt.env,
                      .cwd = dir.path(),
                      .stdout_file = out,
                      .stderr_file = dir / "err.txt"};
  child_process tail(spawn);
  std::this_thread::sleep_for(300ms);
  const auto fresh = other_trace_line('0');
  {
    std::ofstream append(file, std::ios::app);
    append << fresh.substr(0, 40);  // a line written in two pieces
    append.flush();
    std::this_thread::sleep_for(100ms);
    append << fresh.substr(40);
  }
  CHECK(wait_for_text(out, "4bf92f3577b34da6a3ce929d0e0e4730", 5s));
  CHECK(tail.running());
  tail.stop();
  const auto printed = read_file(out);
  CHECK(printed.find(small_trace_id) == std::string::npos);
  CHECK(printed.find("└─ publish") != std::string::npos);
  CHECK(read_file(dir / "err.txt") == "");
}

TEST_CASE("show --follow on stdin prints every trace and ends with the input", "[trace]") {
  const auto r =
      vmterm_trace({"--file", "-", "--json", "show", "--follow"},
                   {.input = small_trace_line() + other_trace_line('1'), .timeout = 20s});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find(small_trace_id) != std::string::npos);
  CHECK(r.out.find("4bf92f3577b34da6a3ce929d0e0e4731") != std::string::npos);
}
