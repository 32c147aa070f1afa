#pragma once
/// Where the terminals come from: the seam between vmterm-serve's flags and the session hub.
/// A backend makes one term::terminal per session and says whether it can do so right now
/// (/readyz). Today: a local shell on a PTY (--command). The SSH backend plugs in here: its
/// flags (--ssh USER@HOST[:PORT], --identity, known_hosts, ...) go in backend_options, and
/// make_backend picks it when `ssh` is set; nothing else in the program changes.

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/error.hpp"
#include "term/terminal.hpp"

namespace vmterm::serve {

struct backend_options {
  /// Local shell: argv from --command; empty = the user's login shell.
  std::vector<std::string> command{};
  /// Looks up PATH (for finding the command) like the process environment.
  config::env_lookup env{config::process_env()};
  // SSH backend (next): std::optional<ssh_target> ssh; identity file; known_hosts; ...
};

/// Whether new sessions can start, with the reason in words when not.
struct readiness {
  bool ready{true};
  std::string reason{};
};

/// Thread-safe: make_terminal and check may run on many strands at once.
class backend {
 public:
  virtual ~backend() = default;
  /// What a session runs, for the start-up log: "local shell /bin/bash".
  [[nodiscard]] virtual std::string describe() const = 0;
  /// Cheap enough for every /readyz request.
  [[nodiscard]] virtual readiness check() const = 0;
  /// A new terminal on `executor` (the session's strand), not started yet. An error is shown
  /// to the user in the page, so it says what is wrong in words.
  [[nodiscard]] virtual expected<std::shared_ptr<term::terminal>> make_terminal(
      boost::asio::any_io_executor executor) = 0;
};

/// The backend the options ask for. Never null.
[[nodiscard]] std::shared_ptr<backend> make_backend(backend_options options);

/// Finds `program` as execvp would: a path with '/' as is, a bare name in `path_list`
/// (colon-separated). The error says why it cannot be run:
/// "'nosuch' is not found in PATH", "'/etc/passwd' is not executable".
[[nodiscard]] expected<std::string> find_executable(const std::string& program,
                                                    std::string_view path_list);

}  // namespace vmterm::serve
