#include "term/pty_terminal.hpp"

#include <pty.h>
#include <pwd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <deque>

extern char** environ;  // NOLINT: POSIX

namespace vmterm::term {
namespace net = boost::asio;

struct pty_terminal::impl {
  explicit impl(net::any_io_executor ex, pty_options o)
      : options(std::move(o)), master(ex), exit_watch(ex), kill_timer(ex) {}

  pty_options options;
  net::posix::stream_descriptor master;
  net::posix::stream_descriptor exit_watch;  // pidfd: readable when the child exits
  net::steady_timer kill_timer;
  terminal_handlers handlers;
  pid_t pid = -1;
  bool reaped = false;
  int status = 0;
  bool exit_reported = false;
  bool paused = false;
  bool reading = false;
  bool closing = false;
  std::deque<std::string> input;
  std::size_t pending_input = 0;
  bool writing = false;
};

namespace {

/// Where every terminal on this thread reads its output: on_output gets a view of it, used and
/// copied before the next read, so no session keeps 64 KiB of its own while it idles.
std::array<char, 65536>& read_buffer() {
  thread_local std::array<char, 65536> buffer;
  return buffer;
}

/// argv and envp prepared before fork: the child may only call async-signal-safe functions.
struct exec_plan {
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::string path;  // what to execve
  std::string cwd;
};

std::string basename_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// PATH lookup in the parent (execvp is not async-signal-safe in every libc).
std::string resolve(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  const char* path = std::getenv("PATH");  // NOLINT(concurrency-mt-unsafe)
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    const auto end = std::min(dirs.find(':', start), dirs.size());
    std::string candidate = dirs.substr(start, end - start) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return program;
}

exec_plan make_plan(const pty_options& o) {
  exec_plan plan;
  const passwd* pw = ::getpwuid(::getuid());
  const std::string home = pw && pw->pw_dir ? pw->pw_dir : "/";
  if (o.command.empty()) {
    const std::string shell = pw && pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh";
    plan.path = shell;
    plan.argv = {"-" + basename_of(shell)};  // a login shell, as login(1) starts it
  } else {
    plan.path = resolve(o.command.front());
    plan.argv = o.command;
  }
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string kv(*e);
    const auto eq = kv.find('=');
    if (eq != std::string::npos) vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : o.env) vars[k] = v;
  vars["TERM"] = "xterm-256color";
  vars["COLORTERM"] = "truecolor";
  if (!vars.count("HOME")) vars["HOME"] = home;
  for (const auto& [k, v] : vars) plan.env.push_back(k + "=" + v);
  plan.cwd = o.cwd.empty() ? home : o.cwd.string();
  return plan;
}

std::vector<char*> c_array(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int decode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

std::shared_ptr<pty_terminal> pty_terminal::create(net::any_io_executor executor,
                                                   pty_options options) {
  return std::shared_ptr<pty_terminal>(
      new pty_terminal(std::make_unique<impl>(std::move(executor), std::move(options))));
}

pty_terminal::pty_terminal(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

pty_terminal::~pty_terminal() {
  auto& d = *impl_;
  if (d.pid > 0 && !d.reaped) {  // never leave a shell or a zombie behind
    ::kill(-d.pid, SIGHUP);
    ::kill(-d.pid, SIGKILL);
    ::waitpid(d.pid, nullptr, 0);
  }
}

pid_t pty_terminal::pid() const noexcept { return impl_->pid; }

expected<void> pty_terminal::start(term_size size, terminal_handlers handlers) {
  auto& d = *impl_;
  if (d.pid > 0) return fail(std::errc::operation_in_progress, "start terminal: already started");
  d.handlers = std::move(handlers);
  exec_plan plan = make_plan(d.options);
  auto argv = c_array(plan.argv);
  auto envp = c_array(plan.env);
  winsize ws{};
  ws.ws_col = size.cols;
  ws.ws_row = size.rows;
  int master_fd = -1;
  const pid_t pid = ::forkpty(&master_fd, nullptr, nullptr, &ws);
  if (pid < 0) {
    return fail(std::error_code(errno, std::generic_category()),
                std::string("start terminal: forkpty failed: ") + std::strerror(errno));
  }
  if (pid == 0) {
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD}) ::signal(sig, SIG_DFL);
    if (::chdir(plan.cwd.c_str()) != 0) (void)!::chdir("/");
    ::execve(plan.path.c_str(), argv.data(), envp.data());
    static constexpr char msg[] = "vmterm: cannot start the shell: ";
    (void)!::write(2, msg, sizeof msg - 1);
    const char* why = std::strerror(errno);
    (void)!::write(2, why, std::strlen(why));
    (void)!::write(2, "\r\n", 2);
    ::_exit(127);
  }
  d.pid = pid;
  ::fcntl(master_fd, F_SETFD, FD_CLOEXEC);
  d.master.assign(master_fd);
  d.master.non_blocking(true);
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd >= 0) {
    d.exit_watch.assign(pidfd);
    d.exit_watch.async_wait(net::posix::stream_descriptor::wait_read,
                            [self = shared_from_this()](boost::system::error_code ec) {
                              if (!ec) self->on_child_exit();
                            });
  }
  do_read();
  return {};
}

void pty_terminal::do_read() {
  auto& d = *impl_;
  if (d.paused || d.reading || !d.master.is_open()) return;
  d.reading = true;
  d.master.async_wait(
      net::posix::stream_descriptor::wait_read,
      [self = shared_from_this()](boost::system::error_code ec) { self->on_readable(ec); });
}

void pty_terminal::on_readable(boost::system::error_code ec) {
  auto& d = *impl_;
  d.reading = false;
  if (!d.master.is_open()) return;
  // A cancelled wait matters only when the shell has exited: then drain what is left.
  if (ec && !(ec == net::error::operation_aborted && d.reaped)) return;
  // Coalesce: take everything the PTY has now (up to the buffer), so a fast producer is sent
  // in a few large frames rather than many 4 KiB ones.
  auto& buffer = read_buffer();
  std::size_t n = 0;
  boost::system::error_code read_ec;
  while (n < buffer.size()) {
    const std::size_t got =
        d.master.read_some(net::buffer(buffer.data() + n, buffer.size() - n), read_ec);
    n += got;
    if (read_ec || got == 0) break;
  }
  if (n > 0 && d.handlers.on_output) d.handlers.on_output({buffer.data(), n});
  const bool drained = read_ec == net::error::would_block || read_ec == net::error::try_again;
  // EIO (every process closed the slave side), or nothing left once the shell has exited:
  // the output is complete.
  if ((read_ec && !drained) || (drained && d.reaped)) {
    d.master.close();
    maybe_report_exit();
    return;
  }
  do_read();
}

void pty_terminal::on_child_exit() {
  auto& d = *impl_;
  int status = 0;
  if (::waitpid(d.pid, &status, WNOHANG) != d.pid) return;
  d.reaped = true;
  d.status = decode(status);
  d.kill_timer.cancel();
  if (!d.master.is_open()) {
    maybe_report_exit();
  } else if (d.reading) {
    d.master.cancel();  // on_readable drains the rest and reports the exit
  } else if (!d.paused) {
    on_readable(net::error::operation_aborted);
  }  // paused: resume() drains and reports
}

void pty_terminal::maybe_report_exit() {
  auto& d = *impl_;
  if (d.exit_reported || !d.reaped) return;
  d.exit_reported = true;
  if (d.exit_watch.is_open()) d.exit_watch.close();
  if (d.handlers.on_exit) d.handlers.on_exit(d.status, {});
}

void pty_terminal::write(std::string_view input) {
  auto& d = *impl_;
  if (!d.master.is_open() || input.empty()) return;
  if (d.pending_input + input.size() > d.options.max_pending_input) {
    input = input.substr(0, d.options.max_pending_input - d.pending_input);
    if (input.empty()) return;
  }
  d.pending_input += input.size();
  d.input.emplace_back(input);
  if (!d.writing) do_write();
}

void pty_terminal::do_write() {
  auto& d = *impl_;
  if (d.input.empty() || !d.master.is_open()) {
    d.writing = false;
    return;
  }
  d.writing = true;
  net::async_write(d.master, net::buffer(d.input.front()),
                   [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                     auto& s = *self->impl_;
                     s.pending_input -= s.input.front().size();
                     s.input.pop_front();
                     if (ec) {
                       s.input.clear();
                       s.pending_input = 0;
                       s.writing = false;
                       return;
                     }
                     self->do_write();
                   });
}

void pty_terminal::resize(term_size size) {
  auto& d = *impl_;
  if (!d.master.is_open()) return;
  winsize ws{};
  ws.ws_col = size.cols;
  ws.ws_row = size.rows;
  ::ioctl(d.master.native_handle(), TIOCSWINSZ, &ws);  // the kernel sends SIGWINCH
}

void pty_terminal::pause() noexcept { impl_->paused = true; }

void pty_terminal::resume() {
  impl_->paused = false;
  do_read();
}

void pty_terminal::close() noexcept {
  auto& d = *impl_;
  if (d.pid <= 0 || d.reaped || d.closing) return;
  d.closing = true;
  ::kill(-d.pid, SIGHUP);  // the shell leads its own session and process group
  ::kill(-d.pid, SIGCONT);
  d.kill_timer.expires_after(std::chrono::seconds(3));
  d.kill_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec && !self->impl_->reaped) ::kill(-self->impl_->pid, SIGKILL);
  });
}

}  // namespace vmterm::term
