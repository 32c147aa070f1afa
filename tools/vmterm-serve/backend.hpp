#pragma once
/// Where the terminals come from: the seam between vmterm-serve's flags and the session hub.
/// A backend makes one term::terminal per session and says whether it can do so right now
/// (/readyz): a local shell on a PTY (--command), or a shell on an SSH server (--ssh,
/// ssh_backend.cpp) when backend_options::ssh is set.

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/error.hpp"
#include "ssh/ssh_options.hpp"
#include "term/terminal.hpp"

namespace vmterm::serve {

struct backend_options {
  /// Local shell: argv from --command; empty = the user's login shell.
  std::vector<std::string> command{};
  /// Looks up PATH (for finding the command) like the process environment.
  config::env_lookup env{config::process_env()};
  /// SSH: every session is a shell (or ssh->command) on this server. Its registry and tracer
  /// are set by make_backend from the fields below.
  std::optional<ssh::ssh_options> ssh{};
  /// vmterm_ssh_* metrics go here; not owned; null: none.
  metrics::registry* registry{nullptr};
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

/// The SSH backend (ssh_backend.cpp): sessions are ssh::ssh_terminal; check() is the readiness
/// probe (TCP, handshake, host key known), run on the backend's own thread and cached briefly.
[[nodiscard]] std::shared_ptr<backend> make_ssh_backend(ssh::ssh_options options);

}  // namespace vmterm::serve
