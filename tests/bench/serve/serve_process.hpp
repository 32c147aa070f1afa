#pragma once
/// A real vmterm-serve for the benchmark: started on a free loopback port with a random token
/// (VMTERM_TOKEN), ready once GET /healthz answers 200, always stopped (SIGTERM, then SIGKILL).

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "process.hpp"
#include "service.hpp"
#include "temp_dir.hpp"
#include "term_client.hpp"

namespace vmterm::bench {

struct serve_config {
  std::filesystem::path binary;   ///< the vmterm-serve executable
  std::string command;            ///< --command: the program of each session ("": not given)
  std::size_t max_sessions = 16;  ///< --max-sessions
  std::vector<std::string> extra_args{};  ///< more flags, e.g. --ssh USER@HOST --identity KEY
};

class serve_process {
 public:
  /// Throws std::runtime_error with the tail of the server's log when it does not start.
  explicit serve_process(const serve_config& config);

  [[nodiscard]] server_address address() const { return {service_.port, token_}; }
  [[nodiscard]] pid_t pid() const noexcept { return service_.process->pid(); }
  /// VmRSS of the server process alone, from /proc/PID/status (KiB).
  [[nodiscard]] std::uint64_t rss_kib() const;
  /// CPU time the server has used so far, user + system, from /proc/PID/stat (seconds).
  [[nodiscard]] double cpu_seconds() const;
  /// Processes whose parent is the server (the sessions' shells).
  [[nodiscard]] std::size_t children() const;
  /// What the server wrote on stdout and stderr.
  [[nodiscard]] std::string log() const;

 private:
  test::temp_dir dir_{"vmterm-bench-serve"};
  std::string token_;
  test::started_service service_;
};

}  // namespace vmterm::bench
