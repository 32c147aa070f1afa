#pragma once
/// A terminal on an SSH server: a PTY channel (xterm-256color at the start size) running the
/// login shell, over an ssh::session on the caller's executor. Output is read one chunk at a
/// time and not at all while paused, so the SSH channel window fills and the remote side
/// stops (memory stays bounded by the window). Every failure, before or during the session
/// (DNS, refused, timeout, host key, auth, connection lost), ends in on_exit(-1, words); the
/// remote exit status ends in on_exit(status) (128+N for signal N).
///
/// Spans ssh.connect, ssh.handshake, ssh.auth and ssh.channel (CLIENT) are children of the
/// trace context current when start() is called. Terminal bytes never enter spans or logs.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "ssh/ssh_options.hpp"
#include "term/terminal.hpp"

namespace vmterm::ssh {

class ssh_terminal final : public term::terminal,
                           public std::enable_shared_from_this<ssh_terminal> {
 public:
  /// Sessions are shared: every pending operation holds the terminal alive.
  [[nodiscard]] static std::shared_ptr<ssh_terminal> create(boost::asio::any_io_executor executor,
                                                            ssh_options options);
  ~ssh_terminal() override;

  /// Starts connecting and returns at once; failures arrive as on_exit(-1, reason).
  [[nodiscard]] expected<void> start(term::term_size size,
                                     term::terminal_handlers handlers) override;
  void write(std::string_view input) override;
  void resize(term::term_size size) override;
  void pause() noexcept override;
  void resume() override;
  void close() noexcept override;

  /// Called once the shell runs (TCP, handshake, auth and channel done). Set before start().
  void on_ready(std::function<void()> ready);
  /// How long connecting took (zero until the shell runs).
  [[nodiscard]] std::chrono::nanoseconds connect_duration() const noexcept;

  struct impl;

 private:
  explicit ssh_terminal(std::unique_ptr<impl> p);
  void on_connected(expected<void> r);
  void on_authenticated(expected<void> r);
  void open_channel();
  void setup_channel();
  void on_shell(int rc);
  void pump();
  bool flush_input(int& blocked);
  bool read_output(int& blocked, bool& yielded);
  void arm_waits(int dirs);
  void schedule_pump();
  void schedule_keepalive(std::chrono::seconds in);
  void begin_close();
  void finish_close();
  void fail_session(error e);
  void report_exit(int code, std::string_view reason);

  std::unique_ptr<impl> impl_;
};

}  // namespace vmterm::ssh
