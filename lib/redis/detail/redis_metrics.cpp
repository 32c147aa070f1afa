#include "redis/detail/redis_metrics.hpp"

namespace vmterm::redis::detail {

std::string_view state_name(connection_state s) noexcept {
  switch (s) {
    case connection_state::idle:
      return "idle";
    case connection_state::connecting:
      return "connecting";
    case connection_state::ready:
      return "ready";
    case connection_state::backoff:
      return "backoff";
    case connection_state::closed:
      return "closed";
  }
  return "unknown";
}

redis_metrics::redis_metrics(metrics::registry* registry) : registry_(registry) {
  if (registry_ == nullptr) return;
  try {
    commands_ = &registry_->add_counter("vmterm_redis_commands_total",
                                        "Redis commands sent, by command name", {"command"});
    errors_ = &registry_->add_counter(
        "vmterm_redis_command_errors_total",
        "Redis commands that failed (error reply or connection failure), by command name",
        {"command"});
    durations_ = &registry_->add_histogram(
        "vmterm_redis_command_duration_seconds",
        "Time from exec/pipeline/eval to its reply, by command (PIPELINE for a pipeline)",
        {"command"},
        {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
         5, 10});
    connections_ = &registry_->add_gauge("vmterm_redis_connections",
                                         "Redis connections in each state now", {"state"});
    reconnects_ = &registry_
                       ->add_counter("vmterm_redis_reconnects_total",
                                     "Redis connection attempts after the first, as reconnects")
                       .labels();
    connections_->labels("ready");  // present (0) from the start, so a scrape can alert on it
  } catch (...) {                   // telemetry never breaks the client
    registry_ = nullptr;
  }
}

std::string_view redis_metrics::label(std::string_view name) noexcept {
  if (name.empty() || name.size() > 32) return "OTHER";
  for (char c : name) {
    const bool ok = (c >= 'A' && c <= 'Z') || c == '_' || c == '.' || c == ' ';
    if (!ok) return "OTHER";
  }
  return name;
}

redis_metrics::per_command& redis_metrics::lookup(std::string_view name) {
  const auto l = label(name);
  auto it = cache_.find(l);
  if (it != cache_.end()) return it->second;
  per_command p;
  p.count = &commands_->labels(l);
  p.errors = &errors_->labels(l);
  p.duration = &durations_->labels(l);
  return cache_.emplace(std::string(l), p).first->second;
}

void redis_metrics::state_changed(connection_state from, connection_state to) noexcept {
  if (registry_ == nullptr || from == to) return;
  try {
    // Idle and closed connections are not counted: the gauge shows live ones.
    const auto counted = [](connection_state s) {
      return s != connection_state::idle && s != connection_state::closed;
    };
    if (counted(from)) connections_->labels(state_name(from)).dec();
    if (counted(to)) connections_->labels(state_name(to)).inc();
  } catch (...) {
  }
}

void redis_metrics::reconnect_attempt() noexcept {
  if (reconnects_ != nullptr) reconnects_->inc();
}

void redis_metrics::command(std::string_view name, bool failed) noexcept {
  if (registry_ == nullptr) return;
  try {
    auto& p = lookup(name);
    p.count->inc();
    if (failed) p.errors->inc();
  } catch (...) {
  }
}

void redis_metrics::duration(std::string_view operation, double seconds) noexcept {
  if (registry_ == nullptr) return;
  try {
    lookup(operation).duration->observe(seconds);
  } catch (...) {
  }
}

}  // namespace vmterm::redis::detail
