#pragma once
/// lib/redis's metrics, all no-ops without a registry: vmterm_redis_commands_total{command},
/// vmterm_redis_command_errors_total{command}, vmterm_redis_command_duration_seconds{command}
/// (one observation per exec/pipeline/eval: a pipeline is "PIPELINE"),
/// vmterm_redis_connections{state} (connections in each state now) and
/// vmterm_redis_reconnects_total (connection attempts after the first). Labels hold command
/// names only (letters, '_' and '.'; anything else is "OTHER"): never a key or a value.

#include <map>
#include <string>
#include <string_view>

#include "metrics/registry.hpp"
#include "redis/connection.hpp"

namespace vmterm::redis::detail {

class redis_metrics {
 public:
  explicit redis_metrics(metrics::registry* registry);
  redis_metrics(const redis_metrics&) = delete;
  redis_metrics& operator=(const redis_metrics&) = delete;

  [[nodiscard]] bool enabled() const noexcept { return registry_ != nullptr; }
  void state_changed(connection_state from, connection_state to) noexcept;
  void reconnect_attempt() noexcept;
  /// One command sent (counted per command name).
  void command(std::string_view name, bool failed) noexcept;
  /// One exec/pipeline/eval finished after `seconds`.
  void duration(std::string_view operation, double seconds) noexcept;

  /// The label for a command name: itself when it looks like one, else "OTHER".
  [[nodiscard]] static std::string_view label(std::string_view name) noexcept;

 private:
  struct per_command {
    metrics::counter* count = nullptr;
    metrics::counter* errors = nullptr;
    metrics::histogram* duration = nullptr;
  };
  per_command& lookup(std::string_view name);

  metrics::registry* registry_;
  metrics::family<metrics::counter>* commands_ = nullptr;
  metrics::family<metrics::counter>* errors_ = nullptr;
  metrics::family<metrics::histogram>* durations_ = nullptr;
  metrics::family<metrics::gauge>* connections_ = nullptr;
  metrics::counter* reconnects_ = nullptr;
  std::map<std::string, per_command, std::less<>> cache_;
};

[[nodiscard]] std::string_view state_name(connection_state s) noexcept;

}  // namespace vmterm::redis::detail
