#pragma once
/// A local shell on a pseudo-terminal (forkpty), read and written through Asio on one
/// executor. The child's exit is watched with a pidfd, so no SIGCHLD handler is needed and
/// other children of the process are not disturbed.

#include <sys/types.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "term/terminal.hpp"

namespace vmterm::term {

struct pty_options {
  /// argv; empty: the user's login shell, started as a login shell ("-bash").
  std::vector<std::string> command{};
  /// Added to (or replacing in) the server's environment; TERM is always xterm-256color.
  std::map<std::string, std::string> env{};
  /// Working directory; empty: the user's home directory.
  std::filesystem::path cwd{};
  /// Largest pending input before further input is refused (a paste bigger than this is cut).
  std::size_t max_pending_input = 4 << 20;
};

class pty_terminal final : public terminal, public std::enable_shared_from_this<pty_terminal> {
 public:
  /// Sessions are shared: every pending operation holds the terminal alive.
  [[nodiscard]] static std::shared_ptr<pty_terminal> create(boost::asio::any_io_executor executor,
                                                            pty_options options);
  ~pty_terminal() override;

  [[nodiscard]] expected<void> start(term_size size, terminal_handlers handlers) override;
  void write(std::string_view input) override;
  void resize(term_size size) override;
  void pause() noexcept override;
  void resume() override;
  void close() noexcept override;

  /// The shell's pid (its process group and session id too); -1 before start.
  [[nodiscard]] pid_t pid() const noexcept;

  struct impl;

 private:
  explicit pty_terminal(std::unique_ptr<impl> p);
  void do_read();
  void on_readable(boost::system::error_code ec);
  void on_child_exit();
  void maybe_report_exit();
  void do_write();

  std::unique_ptr<impl> impl_;
};

}  // namespace vmterm::term
