#include "pty_floor.hpp"

#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace vmterm::bench {

pty_floor::pty_floor(const std::vector<std::string>& argv, std::uint16_t cols, std::uint16_t rows) {
  if (argv.empty()) throw std::runtime_error("pty floor: empty command");
  winsize size{};
  size.ws_col = cols;
  size.ws_row = rows;
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_ = ::forkpty(&fd_, nullptr, nullptr, &size);
  if (pid_ < 0)
    throw std::runtime_error(std::string("pty floor: forkpty: ") + std::strerror(errno));
  if (pid_ == 0) {
    ::setenv("TERM", "xterm-256color", 1);
    ::execvp(args[0], args.data());
    std::_Exit(127);
  }
}

pty_floor::~pty_floor() {
  ::close(fd_);
  ::kill(-pid_, SIGHUP);
  ::kill(pid_, SIGHUP);
  for (int i = 0; i < 100; ++i) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

void pty_floor::write(std::string_view bytes) {
  while (!bytes.empty()) {
    const auto n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(std::string("pty floor: write: ") + std::strerror(errno));
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

bool pty_floor::read_until(
    const std::function<bool(std::string_view, bench_clock::time_point)>& on_chunk,
    std::chrono::milliseconds timeout) {
  static std::array<char, 64 * 1024> buffer;
  const auto deadline = bench_clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - bench_clock::now());
    if (left.count() < 0) return false;
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    const auto n = ::read(fd_, buffer.data(), buffer.size());
    const auto at = bench_clock::now();
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // EIO: the shell ended
    if (on_chunk(std::string_view(buffer.data(), static_cast<std::size_t>(n)), at)) return true;
  }
}

void pty_floor::drain(std::chrono::milliseconds quiet) {
  (void)read_until([](std::string_view, bench_clock::time_point) { return false; }, quiet);
}

}  // namespace vmterm::bench
