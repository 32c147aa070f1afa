#include "shell_task.hpp"

#include "core/signals.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cstring>
#include <vector>

extern char** environ;

namespace vmterm::worker {
namespace net = boost::asio;
using stream = net::posix::stream_descriptor;

namespace {

/// VMTERM_TASK_ARGS is left out past this size (Linux refuses an environment string over
/// 128 KiB); stdin always has the arguments.
constexpr std::size_t env_args_limit = 100 * 1024;
/// How long to wait for the pipes' end after the shell has exited (a process that left the
/// group may still hold them).
constexpr auto drain_grace = std::chrono::milliseconds(500);

std::string signal_name(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

std::vector<std::string> child_env(const task_call& call, const std::string& args_json) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    if (kv.starts_with("VMTERM_TASK_") || kv.starts_with("TRACEPARENT=") ||
        kv.starts_with("TRACESTATE="))
      continue;
    env.emplace_back(kv);
  }
  if (args_json.size() <= env_args_limit) env.push_back("VMTERM_TASK_ARGS=" + args_json);
  env.push_back("VMTERM_TASK_ID=" + call.id);
  env.push_back("VMTERM_TASK_NAME=" + call.name);
  if (!call.traceparent.empty()) env.push_back("TRACEPARENT=" + call.traceparent);
  return env;
}

std::vector<char*> c_array(std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

/// In the child, between fork and exec: only async-signal-safe calls.
[[noreturn]] void exec_child(int in, int out, int err, char* const* argv, char* const* envp) {
  ::setpgid(0, 0);
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGQUIT}) ::signal(sig, SIG_DFL);
  ::dup2(in, 0);
  ::dup2(out, 1);
  ::dup2(err, 2);
  ::close_range(3, ~0U, 0);
  ::execve("/bin/sh", argv, envp);
  static constexpr char msg[] = "vmterm-worker: cannot run /bin/sh\n";
  (void)!::write(2, msg, sizeof msg - 1);
  ::_exit(127);
}

class shell_run final : public running_task, public std::enable_shared_from_this<shell_run> {
 public:
  shell_run(net::any_io_executor ex, outcome_fn done)
      : ex_(ex),
        in_(ex),
        out_(ex),
        err_(ex),
        exit_watch_(ex),
        soft_(ex),
        hard_(ex),
        grace_(ex),
        done_(std::move(done)) {}

  ~shell_run() override {
    if (pid_ > 0 && !reaped_) {  // never leave a child or a zombie behind
      ::kill(-pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  std::string start(const std::string& command, const task_call& call) {
    call_limits_ = {call.soft_limit, call.hard_limit};
    input_ = json{{"args", call.args}, {"kwargs", call.kwargs}}.dump();
    auto env = child_env(call, input_);
    std::vector<std::string> argv_s{"sh", "-c", command};
    auto argv = c_array(argv_s);
    auto envp = c_array(env);
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0) return errno_text("pipe");
    if (::pipe2(out, O_CLOEXEC) != 0) {
      close_all({in[0], in[1]});
      return errno_text("pipe");
    }
    if (::pipe2(err, O_CLOEXEC) != 0) {
      close_all({in[0], in[1], out[0], out[1]});
      return errno_text("pipe");
    }
    const pid_t pid = ::fork();
    if (pid == 0) exec_child(in[0], out[1], err[1], argv.data(), envp.data());
    close_all({in[0], out[1], err[1]});
    if (pid < 0) {
      close_all({in[1], out[0], err[0]});
      return errno_text("fork");
    }
    pid_ = pid;
    ::setpgid(pid, pid);  // also here: no race with a signal sent before the child ran
    in_.assign(in[1]);
    out_.assign(out[0]);
    err_.assign(err[0]);
    for (stream* s : {&in_, &out_, &err_}) s->non_blocking(true);
    const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd < 0) return errno_text("pidfd_open");
    exit_watch_.assign(pidfd);
    watch();
    write_input();
    read(out_, out_buf_, true);
    read(err_, err_buf_, false);
    arm_limits();
    return {};
  }

  bool terminate(int sig) noexcept override {
    if (pid_ <= 0 || reaped_) return false;
    terminated_by_ = sig;
    ::kill(-pid_, sig);
    return true;
  }

 private:
  static std::string errno_text(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
  }
  static void close_all(std::initializer_list<int> fds) {
    for (int fd : fds) ::close(fd);
  }

  void watch() {
    exit_watch_.async_wait(stream::wait_read, [self = shared_from_this()](auto ec) {
      if (!ec) self->on_exit();
    });
  }

  void write_input() {
    net::async_write(in_, net::buffer(input_), [self = shared_from_this()](auto, std::size_t) {
      boost::system::error_code ignored;
      self->in_.close(ignored);  // EOF for the command (or EPIPE: it did not read; fine)
    });
  }

  void read(stream& s, std::string& buf, bool is_out) {
    auto chunk = std::make_shared<std::array<char, 16384>>();
    s.async_read_some(net::buffer(*chunk), [self = shared_from_this(), &s, &buf, is_out, chunk](
                                               boost::system::error_code ec, std::size_t n) {
      self->on_read(s, buf, is_out, ec, std::string_view(chunk->data(), n));
    });
  }

  void on_read(stream& s, std::string& buf, bool is_out, boost::system::error_code ec,
               std::string_view data) {
    if (is_out) {
      if (buf.size() + data.size() > shell_result_limit) too_large_ = true;
      if (!too_large_) buf.append(data);
    } else {
      buf.append(data);
      if (buf.size() > 2 * shell_traceback_limit) buf.erase(0, buf.size() - shell_traceback_limit);
    }
    if (ec || !s.is_open()) {
      (is_out ? out_eof_ : err_eof_) = true;
      maybe_finish();
      return;
    }
    read(s, buf, is_out);
  }

  void arm_limits() {
    auto [soft, hard] = call_limits_;
    if (soft.count() > 0) {
      soft_.expires_after(soft);
      soft_.async_wait([self = shared_from_this()](auto ec) {
        if (ec || self->reaped_) return;
        self->soft_fired_ = true;
        ::kill(-self->pid_, SIGTERM);
      });
    }
    if (hard.count() > 0) {
      hard_.expires_after(hard);
      hard_.async_wait([self = shared_from_this()](auto ec) {
        if (ec || self->reaped_) return;
        self->hard_fired_ = true;
        ::kill(-self->pid_, SIGKILL);
      });
    }
  }

  void on_exit() {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) != pid_) return watch();
    reaped_ = true;
    status_ = status;
    soft_.cancel();
    hard_.cancel();
    ::kill(-pid_, SIGKILL);  // what the command left running in its group ends with it
    boost::system::error_code ignored;
    exit_watch_.close(ignored);
    // The pipes end once every holder has exited; bound the wait for one that left the group.
    grace_.expires_after(drain_grace);
    grace_.async_wait([self = shared_from_this()](auto ec) {
      if (ec) return;
      boost::system::error_code ignored2;
      self->out_.close(ignored2);
      self->err_.close(ignored2);
    });
    maybe_finish();
  }

  void maybe_finish() {
    if (!reaped_ || !out_eof_ || !err_eof_ || finished_) return;
    finished_ = true;
    grace_.cancel();
    boost::system::error_code ignored;
    in_.close(ignored);
    net::post(ex_, [done = std::move(done_), outcome = outcome()]() mutable { done(outcome); });
  }

  task_outcome outcome() const {
    const std::string tail = err_buf_.size() > shell_traceback_limit
                                 ? err_buf_.substr(err_buf_.size() - shell_traceback_limit)
                                 : err_buf_;
    const bool signalled = WIFSIGNALED(status_);
    const int code = WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
    if (hard_fired_) {
      return task_outcome::failure(
          "TimeLimitExceeded", "billiard.exceptions",
          "hard time limit (" + seconds(call_limits_.second) + ") exceeded; the command was killed",
          tail);
    }
    if (terminated_by_ != 0 && (signalled || code != 0)) {
      return task_outcome::failure("Terminated", "billiard.exceptions",
                                   "terminated by " + signal_name(terminated_by_), tail);
    }
    if (soft_fired_ && (signalled || code != 0)) {
      return task_outcome::failure("SoftTimeLimitExceeded", "billiard.exceptions",
                                   "soft time limit (" + seconds(call_limits_.first) + ") exceeded",
                                   tail);
    }
    if (signalled) {
      return task_outcome::failure("CommandFailed", "vmterm",
                                   "the command was killed by " + signal_name(WTERMSIG(status_)),
                                   tail);
    }
    if (code == 75) {
      auto o = task_outcome::failure("Retry", "celery.exceptions",
                                     "the command asked for a retry (exit status 75)", tail);
      o.retry = true;
      return o;
    }
    if (code != 0) {
      return task_outcome::failure("CommandFailed", "vmterm",
                                   "the command exited with status " + std::to_string(code), tail);
    }
    if (too_large_) {
      return task_outcome::failure("ResultTooLarge", "vmterm",
                                   "the command wrote more than 16 MiB to stdout", tail);
    }
    return task_outcome::success(shell_result(out_buf_));
  }

  static std::string seconds(std::chrono::milliseconds ms) {
    if (ms.count() % 1000 == 0) return std::to_string(ms.count() / 1000) + "s";
    return std::to_string(ms.count()) + "ms";
  }

  net::any_io_executor ex_;
  stream in_, out_, err_, exit_watch_;
  net::steady_timer soft_, hard_, grace_;
  outcome_fn done_;
  std::pair<std::chrono::milliseconds, std::chrono::milliseconds> call_limits_{};
  std::string input_, out_buf_, err_buf_;
  pid_t pid_ = -1;
  int status_ = 0;
  int terminated_by_ = 0;
  bool reaped_ = false, out_eof_ = false, err_eof_ = false, finished_ = false;
  bool soft_fired_ = false, hard_fired_ = false, too_large_ = false;
};

}  // namespace

json shell_result(const std::string& out) {
  if (out.find_first_not_of(" \t\r\n") == std::string::npos) return nullptr;
  auto parsed = json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_discarded()) return parsed;
  std::string text = out;
  if (text.ends_with('\n')) text.pop_back();
  return text;
}

std::shared_ptr<running_task> start_shell_task(net::any_io_executor executor,
                                               const std::string& command, const task_call& call,
                                               outcome_fn done) {
  // A command that exits without reading its stdin makes our write fail with EPIPE (and raise
  // SIGPIPE, which killed the unit-test process now and then before this).
  core::ignore_sigpipe();
  auto run = std::make_shared<shell_run>(executor, done);
  if (auto why = run->start(command, call); !why.empty()) {
    net::post(executor, [done, why] {
      done(task_outcome::failure("CommandFailed", "vmterm", "cannot start the command: " + why));
    });
    return nullptr;
  }
  return run;
}

}  // namespace vmterm::worker
