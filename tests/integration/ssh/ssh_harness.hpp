#pragma once
// Drives one ssh_terminal on an io_context on the test's thread, against the sshd fixture.

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "process.hpp"
#include "ssh/ssh_terminal.hpp"
#include "sshd_server.hpp"

namespace vmterm::test {

inline ssh::ssh_options ssh_options_for(const sshd_server& sshd) {
  ssh::ssh_options o;
  o.target = {sshd.user(), sshd.host(), sshd.port()};
  o.identity = sshd.identity_file();
  o.known_hosts = sshd.known_hosts_file();
  o.timeout = std::chrono::seconds(10);
  return o;
}

struct ssh_harness {
  explicit ssh_harness(ssh::ssh_options o) {
    term = ssh::ssh_terminal::create(ioc.get_executor(), std::move(o));
    term->on_ready([this] { ready = true; });
  }
  ~ssh_harness() {
    if (term) term->close();
    run_until([this] { return code.has_value(); }, std::chrono::seconds(5));
  }

  void start(term::term_size size = {80, 24}) {
    term::terminal_handlers h;
    h.on_output = [this](std::string_view b) {
      out.append(b);
      bytes += b.size();
      ++chunks;
    };
    h.on_exit = [this](int c, std::string_view r) {
      ++exits;
      code = c;
      reason = std::string(r);
    };
    REQUIRE(term->start(size, std::move(h)).has_value());
  }

  /// Runs the loop until `done()` or `timeout`; true when done.
  bool run_until(const std::function<bool()>& done,
                 std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      if (ioc.stopped()) ioc.restart();
      ioc.run_for(std::chrono::milliseconds(5));
    }
    return true;
  }
  bool wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    return run_until([this] { return code.has_value(); }, timeout);
  }
  bool wait_output(std::string_view text,
                   std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    return run_until([&] { return out.find(text) != std::string::npos || code.has_value(); },
                     timeout) &&
           out.find(text) != std::string::npos;
  }

  boost::asio::io_context ioc;
  std::shared_ptr<ssh::ssh_terminal> term;
  std::string out;
  std::size_t bytes = 0;
  std::size_t chunks = 0;
  int exits = 0;
  bool ready = false;
  std::optional<int> code;
  std::string reason;
};

}  // namespace vmterm::test
