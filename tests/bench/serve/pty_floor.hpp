#pragma once
/// The floor the server is compared with: the same shell on a PTY that this process drives
/// directly (forkpty, poll, read, write), with no server and no WebSocket in between.
///
/// Threading: one thread; not thread-safe. The destructor hangs up the shell and reaps it.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "term_client.hpp"

namespace vmterm::bench {

class pty_floor {
 public:
  /// Starts argv (argv[0] looked up in PATH) on a new PTY of cols × rows with
  /// TERM=xterm-256color. Throws std::runtime_error when it cannot.
  pty_floor(const std::vector<std::string>& argv, std::uint16_t cols, std::uint16_t rows);
  ~pty_floor();
  pty_floor(const pty_floor&) = delete;
  pty_floor& operator=(const pty_floor&) = delete;

  void write(std::string_view bytes);
  /// Reads output, handing each read() to `on_chunk` with the time it returned, until
  /// `on_chunk` returns true (→ true) or `timeout` passes or the shell ends (→ false).
  bool read_until(const std::function<bool(std::string_view, bench_clock::time_point)>& on_chunk,
                  std::chrono::milliseconds timeout);
  /// Reads and drops output for `quiet`.
  void drain(std::chrono::milliseconds quiet);

 private:
  int fd_ = -1;
  pid_t pid_ = -1;
};

}  // namespace vmterm::bench
