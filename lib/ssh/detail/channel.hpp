#pragma once
/// Internal to lib/ssh: one SSH channel of a session (detail/session.hpp), in non-blocking
/// mode. Every call returns at once: would_block means "wait on the socket in the session's
/// blocked_directions() and call again"; other negative values are libssh2 errors, which
/// session::failure() puts into words. libssh2 types stay in the .cpp.
///
/// Lifetime: the channel belongs to its session, which frees it (libssh2 frees a session's
/// channels with it): use it only while the session lives, from the session's executor.

#include <cstddef>
#include <string_view>

#include "term/terminal.hpp"

struct _LIBSSH2_CHANNEL;

namespace vmterm::ssh {

class session;

class channel {
 public:
  /// Opens a "session" channel on `s`, standard error merged into standard output: 0,
  /// would_block (call again), or an error.
  [[nodiscard]] int open(session& s) noexcept;
  [[nodiscard]] bool is_open() const noexcept { return handle_ != nullptr; }

  /// A PTY of terminal type `term` at `size`.
  [[nodiscard]] int request_pty(std::string_view term, term::term_size size) noexcept;
  /// Starts the user's shell, or `command` when it is not empty (as `ssh HOST COMMAND`).
  [[nodiscard]] int start(std::string_view command) noexcept;
  /// A window change.
  [[nodiscard]] int resize(term::term_size size) noexcept;
  /// Bytes written (≥ 0), would_block, or an error.
  [[nodiscard]] std::ptrdiff_t write(std::string_view data) noexcept;
  /// Bytes read into `buffer` (0: nothing now, or end of output: see eof()), would_block, or
  /// an error.
  [[nodiscard]] std::ptrdiff_t read(char* buffer, std::size_t size) noexcept;
  /// Whether the server sent end of output.
  [[nodiscard]] bool eof() const noexcept;
  /// Sends the close; then wait_closed() for the server's.
  [[nodiscard]] int close() noexcept;
  [[nodiscard]] int wait_closed() noexcept;
  /// The remote program's exit code: its exit-status, or 128+N for an exit-signal (an unknown
  /// signal counts as a hangup); -1 when the channel never opened.
  [[nodiscard]] int exit_code() const noexcept;

 private:
  session* session_ = nullptr;
  _LIBSSH2_CHANNEL* handle_ = nullptr;
};

}  // namespace vmterm::ssh
