#pragma once
/// The running beat: a leader lease and exactly-once sends in Redis (schedule/beat_redis.hpp),
/// driven by one steady_timer whose delay comes from schedule::decide and the lease's next
/// action, never a fixed sleep. SIGTERM releases the lease at once; SIGHUP reloads the schedule
/// (a bad file is refused with its error, the old one kept).

#include <chrono>
#include <optional>
#include <string>

namespace vmterm::beat {

struct run_options {
  std::string schedule_file;
  std::string broker = "redis://127.0.0.1:6379/0";
  std::string timezone = "UTC";
  std::chrono::milliseconds lease{5000};
  std::chrono::milliseconds max_interval{1000};
  std::string prefix = "vmterm.beat";
  std::string log_format = "json";        ///< --log-format (checked while parsing)
  std::string log_level = "info";         ///< --log-level (checked while parsing)
  std::string metrics_listen;             ///< "" = no /metrics endpoint
  std::optional<std::string> token_file;  ///< --token-file (read into metrics_token while parsing)
  std::string metrics_token;  ///< from --token-file or VMTERM_TOKEN; "" = none (loopback only)
};

/// Runs until SIGTERM/SIGINT; returns the exit code (2 for a bad schedule or zone at start).
[[nodiscard]] int run_beat(const run_options& opt);

}  // namespace vmterm::beat
