#include "term/pty_terminal.hpp"

#include "term/executable.hpp"
#include "trace/provider.hpp"
#include "trace/span.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <cstdlib>

#include <algorithm>
#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>

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
  /// Input not yet handed to the PTY, and the piece being written: two strings rather than a
  /// queue of them (keystrokes append; an idle terminal holds neither's memory).
  std::string input;
  std::string in_flight;
  bool writing = false;
};

namespace {

/// Where every terminal on this thread reads its output: on_output gets a view of it, used and
/// copied before the next read, so no session keeps 64 KiB of its own while it idles.
std::array<char, 65536>& read_buffer() {
  thread_local std::array<char, 65536> buffer;
  return buffer;
}

/// A read of less than this is taken as all the PTY holds (see on_readable): a stream's reads
/// return a few KiB each (the line discipline's buffer), a keystroke's echo a few bytes.
constexpr std::size_t interactive_read = 512;

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

/// PATH lookup in the parent (execvp is not async-signal-safe in every libc); a program not
/// found is left as is, for execve to fail on in the child.
std::string resolve(const std::string& program) {
  const char* path = std::getenv("PATH");  // NOLINT(concurrency-mt-unsafe)
  auto found = find_executable(program, path != nullptr ? path : default_path);
  return found ? *found : program;
}

exec_plan make_plan(const pty_options& o) {
  exec_plan plan;
  // getpwuid_r: sessions start on several I/O threads at once, and getpwuid's static record
  // is shared by all of them (TSan saw two starts write it together).
  passwd record{};
  passwd* pw = nullptr;
  std::array<char, 4096> strings{};
  if (::getpwuid_r(::getuid(), &record, strings.data(), strings.size(), &pw) != 0) pw = nullptr;
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

/// The two ends of a new pseudo-terminal, both close-on-exec from the start: forkpty(3) opens
/// them without the flag, and a shell forked meanwhile on another thread would keep them.
struct pty_pair {
  int master = -1;
  int slave = -1;
};

expected<pty_pair> open_pty(const winsize& ws) {
  const auto failed = [](const char* step) {
    const int e = errno;
    return fail(std::error_code(e, std::generic_category()),
                std::string("start terminal: ") + step + " failed: " + std::strerror(e));
  };
  pty_pair p;
  p.master = ::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (p.master < 0) return failed("posix_openpt");
  std::array<char, 64> name{};
  if (::grantpt(p.master) != 0 || ::unlockpt(p.master) != 0 ||
      ::ptsname_r(p.master, name.data(), name.size()) != 0) {
    auto e = failed("opening the pseudo-terminal");
    ::close(p.master);
    return e;
  }
  p.slave = ::open(name.data(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (p.slave < 0) {
    auto e = failed("opening the pseudo-terminal");
    ::close(p.master);
    return e;
  }
  ::ioctl(p.slave, TIOCSWINSZ, &ws);
  return p;
}

/// Closes every descriptor above 2, in the child before exec: the second line of defence
/// behind close-on-exec (a library may still open one without the flag). close_range(2) when
/// the kernel has it (5.9+); otherwise each entry of /proc/self/fd, read with getdents64
/// (opendir allocates, which a forked child of a threaded process must not).
void close_inherited() noexcept {
  if (::syscall(SYS_close_range, 3U, ~0U, 0U) == 0) return;
  const int dir = ::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) {
    for (int fd = 3; fd < 65536; ++fd) ::close(fd);
    return;
  }
  alignas(8) std::array<char, 4096> buf;
  // Closing while listing may skip entries: list again until a pass closes nothing.
  for (bool closed = true; closed;) {
    closed = false;
    ::lseek(dir, 0, SEEK_SET);
    for (long n; (n = ::syscall(SYS_getdents64, dir, buf.data(), buf.size())) > 0;) {
      for (long off = 0; off < n;) {
        const auto* e = reinterpret_cast<const struct dirent64*>(buf.data() + off);
        off += e->d_reclen;
        int fd = 0;
        for (const char* c = e->d_name; *c >= '0' && *c <= '9'; ++c) fd = fd * 10 + (*c - '0');
        if (fd > 2 && fd != dir && ::close(fd) == 0) closed = true;
      }
    }
  }
  ::close(dir);
}

/// The child: a new session whose controlling terminal is the slave, stdio on it, nothing else
/// open, then exec. Only async-signal-safe calls (the parent has threads).
[[noreturn]] void exec_child(int slave, const exec_plan& plan, char* const* argv,
                             char* const* envp) noexcept {
  ::setsid();
  ::ioctl(slave, TIOCSCTTY, 0);
  // dup2 onto another number clears close-on-exec, so 0-2 stay open across exec; a slave that
  // is itself 0-2 (the server's own stdio closed) is moved up first.
  if (slave <= 2) slave = ::fcntl(slave, F_DUPFD_CLOEXEC, 3);
  for (int fd = 0; fd <= 2; ++fd) ::dup2(slave, fd);
  close_inherited();
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD}) ::signal(sig, SIG_DFL);
  if (::chdir(plan.cwd.c_str()) != 0) (void)!::chdir("/");
  ::execve(plan.path.c_str(), argv, envp);
  static constexpr char msg[] = "vmterm: cannot start the shell: ";
  (void)!::write(2, msg, sizeof msg - 1);
  const char* why = std::strerror(errno);
  (void)!::write(2, why, std::strlen(why));
  (void)!::write(2, "\r\n", 2);
  ::_exit(127);
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
  // The fork and exec of the shell, under the current span (the session's WebSocket span): the
  // program's path and pid only, never its arguments (a command line may hold a secret).
  trace::span spawn = trace::get_tracer("vmterm.term").start_span("pty.spawn");
  exec_plan plan = make_plan(d.options);
  spawn.set_attribute("process.executable.path", plan.path);
  auto argv = c_array(plan.argv);
  auto envp = c_array(plan.env);
  winsize ws{};
  ws.ws_col = size.cols;
  ws.ws_row = size.rows;
  auto pair = open_pty(ws);
  if (!pair) {
    spawn.set_status(trace::status_code::error, "opening the pseudo-terminal failed");
    return tl::unexpected(pair.error());
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int e = errno;
    ::close(pair->master);
    ::close(pair->slave);
    spawn.set_status(trace::status_code::error, "fork failed");
    return fail(std::error_code(e, std::generic_category()),
                std::string("start terminal: fork failed: ") + std::strerror(e));
  }
  if (pid == 0) exec_child(pair->slave, plan, argv.data(), envp.data());  // never returns
  ::close(pair->slave);
  spawn.set_attribute("process.pid", std::int64_t{pid});
  spawn.end();
  d.pid = pid;
  d.master.assign(pair->master);
  d.master.non_blocking(true);
  // pidfd_open's descriptor is always close-on-exec.
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
    // A first read this small is an answer (an echo, a prompt), not a stream: the PTY held no
    // more, so no read that would only say EAGAIN (one syscall in ten of a keystroke's). The
    // next wait re-arms epoll, which reports at once anything that came meanwhile. Once the
    // shell has exited the loop reads on to EAGAIN: that is how it knows the output is complete.
    if (n == got && got < interactive_read && !d.reaped) break;
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
  const std::size_t pending = d.input.size() + d.in_flight.size();
  if (pending + input.size() > d.options.max_pending_input) {
    input = input.substr(
        0, d.options.max_pending_input - std::min(pending, d.options.max_pending_input));
    if (input.empty()) return;
  }
  if (!d.writing) {
    // Nothing queued: straight to the PTY (non-blocking), no asynchronous write and no
    // completion handler to run after it (a keystroke is one write(2), nothing else). What
    // the PTY does not take now is written asynchronously, in order.
    const ssize_t n = ::write(d.master.native_handle(), input.data(), input.size());
    if (n == static_cast<ssize_t>(input.size())) return;
    if (n > 0) {
      input.remove_prefix(static_cast<std::size_t>(n));
    } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      return;  // as the asynchronous write's error: the input is dropped, the read sees why
    }
  }
  d.input.append(input);
  if (!d.writing) do_write();
}

void pty_terminal::do_write() {
  auto& d = *impl_;
  d.in_flight.clear();
  if (d.input.empty() || !d.master.is_open()) {
    d.writing = false;
    std::string().swap(d.in_flight);
    std::string().swap(d.input);
    return;
  }
  d.writing = true;
  std::swap(d.in_flight, d.input);  // what came meanwhile goes in one write
  net::async_write(d.master, net::buffer(d.in_flight),
                   [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                     auto& s = *self->impl_;
                     if (ec) {
                       std::string().swap(s.input);
                       std::string().swap(s.in_flight);
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
