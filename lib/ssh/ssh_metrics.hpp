#pragma once
/// The SSH backend's metrics: vmterm_ssh_connects_total, vmterm_ssh_failures_total{reason},
/// vmterm_ssh_sessions (open channels) and vmterm_ssh_connect_duration_seconds. All no-ops
/// without a registry. Never a host, user or byte of terminal data in a label.

#include <system_error>

#include "metrics/registry.hpp"

namespace vmterm::ssh {

class ssh_metrics {
 public:
  explicit ssh_metrics(metrics::registry* registry);
  void connect_started() noexcept;
  void connected(double seconds) noexcept;
  void failed(const std::error_code& reason) noexcept;
  void session_closed() noexcept;

 private:
  metrics::registry* registry_;
  metrics::family<metrics::counter>* connects_ = nullptr;
  metrics::family<metrics::counter>* failures_ = nullptr;
  metrics::gauge* sessions_ = nullptr;
  metrics::histogram* duration_ = nullptr;
};

}  // namespace vmterm::ssh
