#include "backend.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <utility>

#include "term/executable.hpp"
#include "term/pty_terminal.hpp"

namespace vmterm::serve {
namespace {

using term::find_executable;
using term::not_executable;

/// A local shell (or --command) on a pseudo-terminal.
class pty_backend final : public backend {
 public:
  explicit pty_backend(backend_options o) : options_(std::move(o)) {}

  std::string describe() const override {
    if (options_.command.empty()) return "local login shell " + login_shell();
    std::string line = "local command";
    for (const auto& w : options_.command) line += " " + w;
    return line;
  }

  readiness check() const override {
    if (options_.command.empty()) {
      const auto shell = login_shell();
      if (auto why = not_executable(shell); !why.empty()) {
        return {false, "the login shell " + why + "; fix /etc/passwd or set --command"};
      }
      return {};
    }
    const auto path = options_.env("PATH").value_or(std::string(term::default_path));
    auto found = find_executable(options_.command.front(), path);
    if (!found) return {false, "--command: " + found.error().message};
    return {};
  }

  expected<std::shared_ptr<term::terminal>> make_terminal(
      boost::asio::any_io_executor executor) override {
    // Refused here, in words, rather than by a child that fails to exec after the fork.
    if (auto r = check(); !r.ready) return fail(std::errc::no_such_file_or_directory, r.reason);
    term::pty_options o;
    o.command = options_.command;
    return std::shared_ptr<term::terminal>(term::pty_terminal::create(std::move(executor), o));
  }

 private:
  static std::string login_shell() {
    const passwd* pw = ::getpwuid(::getuid());
    return pw && pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh";
  }

  backend_options options_;
};

}  // namespace

std::shared_ptr<backend> make_backend(backend_options options) {
  if (options.ssh) {
    options.ssh->registry = options.registry;
    return make_ssh_backend(std::move(*options.ssh));
  }
  return std::make_shared<pty_backend>(std::move(options));
}

}  // namespace vmterm::serve
