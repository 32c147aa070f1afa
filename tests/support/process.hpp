#pragma once
/// Child processes for tests: a long-running service (child_process) and a one-shot command
/// with captured output and a timeout (run). Children get their own process group, die with
/// the test process (PR_SET_PDEATHSIG), and are always stopped and reaped.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vmterm::test {

using namespace std::chrono_literals;

/// Environment changes applied on top of the test's own environment: a value sets the
/// variable, std::nullopt removes it.
using env_changes = std::map<std::string, std::optional<std::string>>;

struct spawn_options {
  std::vector<std::string> argv{};  ///< argv[0] is looked up in PATH when it has no '/'
  env_changes env{};
  std::filesystem::path cwd{};          ///< empty: the test's working directory
  std::filesystem::path stdout_file{};  ///< empty: /dev/null
  std::filesystem::path stderr_file{};  ///< empty: /dev/null
};

/// A service started for a test. The destructor stops it (SIGTERM to its process group, then
/// SIGKILL after a grace period) and reaps it.
class child_process {
 public:
  explicit child_process(spawn_options opt);  ///< throws std::runtime_error if it cannot start
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  /// True while the process has not exited (reaps it when it has).
  [[nodiscard]] bool running();
  /// Exit code once exited (128+signal when killed); nullopt while running.
  [[nodiscard]] std::optional<int> exit_code();
  /// Sends `sig` to the whole process group.
  void signal(int sig) noexcept;
  /// SIGTERM, wait up to `grace`, then SIGKILL; always reaps. Idempotent.
  void stop(std::chrono::milliseconds grace = 3s) noexcept;

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

struct run_options {
  env_changes env{};
  std::filesystem::path cwd{};
  std::string input{};                      ///< written to the command's stdin, then closed
  std::chrono::milliseconds timeout = 30s;  ///< then the process group is killed
};

struct run_result {
  int exit_code = -1;      ///< exit status, or 128+signal when killed by a signal
  bool timed_out = false;  ///< killed by us after the timeout
  std::string out;
  std::string err;
};

/// Runs a command to completion, capturing stdout and stderr.
[[nodiscard]] run_result run(const std::vector<std::string>& argv, const run_options& opt = {});

/// Runs a built vmterm tool (from the build's bin directory) with arguments.
[[nodiscard]] run_result run_tool(const std::string& tool, const std::vector<std::string>& args,
                                  const run_options& opt = {});

/// The build's bin directory, where the tools are.
[[nodiscard]] std::filesystem::path bin_dir();
/// The source tree's root.
[[nodiscard]] std::filesystem::path source_dir();

/// Finds an executable by name in PATH and then in `extra_dirs`; nullopt when absent.
[[nodiscard]] std::optional<std::filesystem::path> find_program(
    const std::string& name, const std::vector<std::filesystem::path>& extra_dirs = {});

}  // namespace vmterm::test
