#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;  // NOLINT: POSIX

namespace vmterm::test {
namespace {

using clock = std::chrono::steady_clock;

/// A file descriptor closed on destruction.
class fd_guard {
 public:
  explicit fd_guard(int fd = -1) noexcept : fd_(fd) {}
  ~fd_guard() { reset(); }
  fd_guard(const fd_guard&) = delete;
  fd_guard& operator=(const fd_guard&) = delete;
  [[nodiscard]] int get() const noexcept { return fd_; }
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

struct pipe_pair {
  fd_guard read, write;
};

pipe_pair make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  return {fd_guard(fds[0]), fd_guard(fds[1])};
}

int open_or_null(const std::filesystem::path& file, int flags) {
  const auto name = file.empty() ? std::string("/dev/null") : file.string();
  const int fd = ::open(name.c_str(), flags | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot open '" + name + "': " + std::strerror(errno));
  return fd;
}

std::vector<std::string> merged_env(const env_changes& changes) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv(*e);
    const auto eq = kv.find('=');
    if (eq != std::string::npos) vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : changes) {
    if (v) {
      vars[k] = *v;
    } else {
      vars.erase(k);
    }
  }
  std::vector<std::string> out;
  out.reserve(vars.size());
  for (const auto& [k, v] : vars) out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

/// fork + exec with the given stdio. Everything the child needs is prepared before fork, so
/// the child calls only async-signal-safe functions. Exec failure is reported through a
/// close-on-exec pipe and thrown here, naming the program.
pid_t spawn(std::vector<std::string> argv, const env_changes& env, const std::filesystem::path& cwd,
            int in_fd, int out_fd, int err_fd) {
  if (argv.empty()) throw std::invalid_argument("spawn: empty argv");
  if (argv[0].find('/') == std::string::npos) {
    if (auto found = find_program(argv[0])) argv[0] = found->string();
  }
  auto env_strings = merged_env(env);
  auto c_argv = c_strings(argv);
  auto c_env = c_strings(env_strings);
  const std::string cwd_str = cwd.string();
  const pid_t parent = ::getpid();
  auto report = make_pipe();

  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the test died before prctl took effect
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (!cwd_str.empty() && ::chdir(cwd_str.c_str()) != 0) {
      const int e = errno;
      (void)!::write(report.write.get(), &e, sizeof e);
      ::_exit(127);
    }
    ::execve(c_argv[0], c_argv.data(), c_env.data());
    const int e = errno;
    (void)!::write(report.write.get(), &e, sizeof e);
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from the parent, so a signal to the group cannot race the child
  report.write.reset();
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(report.read.get(), &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  if (n == sizeof child_errno) {
    ::waitpid(pid, nullptr, 0);
    throw std::runtime_error("cannot start '" + argv[0] + "': " + std::strerror(child_errno));
  }
  return pid;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

std::optional<std::filesystem::path> find_program(const std::string& name,
                                                  const std::vector<std::filesystem::path>& extra) {
  std::vector<std::filesystem::path> dirs;
  const char* path = std::getenv("PATH");  // NOLINT(concurrency-mt-unsafe)
  std::string p = path ? path : "/usr/local/bin:/usr/bin:/bin";
  for (std::size_t start = 0; start <= p.size();) {
    const auto colon = p.find(':', start);
    const auto end = colon == std::string::npos ? p.size() : colon;
    if (end > start) dirs.emplace_back(p.substr(start, end - start));
    start = end + 1;
  }
  dirs.insert(dirs.end(), extra.begin(), extra.end());
  for (const auto& d : dirs) {
    const auto candidate = d / name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

child_process::child_process(spawn_options opt) {
  fd_guard in(open_or_null({}, O_RDONLY));
  fd_guard out(open_or_null(opt.stdout_file, O_WRONLY | O_CREAT | O_APPEND));
  fd_guard err(open_or_null(opt.stderr_file, O_WRONLY | O_CREAT | O_APPEND));
  pid_ = spawn(std::move(opt.argv), opt.env, opt.cwd, in.get(), out.get(), err.get());
}

child_process::~child_process() { stop(); }

bool child_process::running() { return !exit_code().has_value(); }

std::optional<int> child_process::exit_code() {
  if (status_ || pid_ < 0) return status_;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) status_ = decode_status(status);
  return status_;
}

void child_process::signal(int sig) noexcept {
  if (pid_ > 0 && !status_) ::kill(-pid_, sig);
}

void child_process::stop(std::chrono::milliseconds grace) noexcept {
  if (pid_ < 0 || status_) return;
  signal(SIGTERM);
  const auto deadline = clock::now() + grace;
  while (clock::now() < deadline) {
    if (exit_code()) break;
    std::this_thread::sleep_for(10ms);
  }
  if (!status_) {
    signal(SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    status_ = decode_status(status);
  }
  ::kill(-pid_, SIGKILL);  // anything the service left behind in its group
}

run_result run(const std::vector<std::string>& argv, const run_options& opt) {
  auto in = make_pipe();
  auto out = make_pipe();
  auto err = make_pipe();
  const pid_t pid = spawn(argv, opt.env, opt.cwd, in.read.get(), out.write.get(), err.write.get());
  in.read.reset();
  out.write.reset();
  err.write.reset();
  if (opt.input.empty()) in.write.reset();
  for (const int fd : {in.write.get(), out.read.get(), err.read.get()}) {
    if (fd >= 0) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  }

  run_result result;
  std::size_t written = 0;
  const auto deadline = clock::now() + opt.timeout;
  char buf[65536];
  // Drain both pipes (and feed stdin) until the child closes its ends, so that neither side
  // can block on a full pipe; the deadline bounds the whole run.
  while (out.read.get() >= 0 || err.read.get() >= 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
      break;
    }
    pollfd fds[3] = {
        {out.read.get(), POLLIN, 0}, {err.read.get(), POLLIN, 0}, {in.write.get(), POLLOUT, 0}};
    if (::poll(fds, 3, static_cast<int>(std::min<long>(left.count(), 100))) < 0 && errno != EINTR) {
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        (i == 0 ? result.out : result.err).append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        (i == 0 ? out.read : err.read).reset();
      }
    }
    if (fds[2].fd >= 0 && fds[2].revents != 0) {
      const ssize_t n = ::write(fds[2].fd, opt.input.data() + written, opt.input.size() - written);
      if (n > 0) written += static_cast<std::size_t>(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == opt.input.size()) {
        in.write.reset();
      }
    }
  }
  // The pipes are closed; the child may still run (it closed its stdio): the deadline holds.
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, result.timed_out ? 0 : WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) break;
    if (r == 0 && clock::now() >= deadline) {
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
    } else if (r == 0) {
      std::this_thread::sleep_for(5ms);
    }
  }
  result.exit_code = decode_status(status);
  return result;
}

std::filesystem::path bin_dir() { return VMTERM_TEST_BIN_DIR; }
std::filesystem::path source_dir() { return VMTERM_TEST_SOURCE_DIR; }

run_result run_tool(const std::string& tool, const std::vector<std::string>& args,
                    const run_options& opt) {
  std::vector<std::string> argv{(bin_dir() / tool).string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, opt);
}

}  // namespace vmterm::test
