#include "ssh/ssh_metrics.hpp"

#include "ssh/errors.hpp"

namespace vmterm::ssh {

ssh_metrics::ssh_metrics(metrics::registry* registry) : registry_(registry) {
  if (registry_ == nullptr) return;
  connects_ = &registry_->add_counter("vmterm_ssh_connects_total",
                                      "SSH connections attempted by the terminal backend");
  failures_ = &registry_->add_counter(
      "vmterm_ssh_failures_total", "SSH connections that failed or broke, by reason", {"reason"});
  sessions_ =
      &registry_->add_gauge("vmterm_ssh_sessions", "SSH terminal channels open now").labels();
  duration_ = &registry_
                   ->add_histogram("vmterm_ssh_connect_duration_seconds",
                                   "TCP connect, handshake, auth and channel setup", {},
                                   {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10})
                   .labels();
}

void ssh_metrics::connect_started() noexcept {
  if (connects_ != nullptr) connects_->labels().inc();
}

void ssh_metrics::connected(double seconds) noexcept {
  if (sessions_ != nullptr) sessions_->inc();
  if (duration_ != nullptr) duration_->observe(seconds);
}

void ssh_metrics::failed(const std::error_code& reason) noexcept {
  if (failures_ == nullptr) return;
  try {
    failures_->labels(reason_name(reason)).inc();
  } catch (...) {  // telemetry never throws
  }
}

void ssh_metrics::session_closed() noexcept {
  if (sessions_ != nullptr) sessions_->dec();
}

}  // namespace vmterm::ssh
