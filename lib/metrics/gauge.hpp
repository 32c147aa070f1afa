#pragma once
/// A value that goes up and down (Prometheus gauge). Lock-free; any thread may update it.

#include <atomic>
#include <string>
#include <vector>

#include "metrics/snapshot.hpp"

namespace vmterm::metrics {

class gauge {
 public:
  gauge() = default;
  gauge(const gauge&) = delete;
  gauge& operator=(const gauge&) = delete;

  void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void inc(double v = 1) noexcept { value_.fetch_add(v, std::memory_order_relaxed); }
  void dec(double v = 1) noexcept { value_.fetch_sub(v, std::memory_order_relaxed); }
  /// Sets the gauge to the current Unix time in seconds.
  void set_to_current_time() noexcept;
  [[nodiscard]] double value() const noexcept { return value_.load(std::memory_order_relaxed); }

  /// Appends this child's sample (`name{labels} value`).
  void collect(const std::string& name, std::vector<label_pair> labels,
               std::vector<sample>& out) const;

 private:
  std::atomic<double> value_{0};
};

}  // namespace vmterm::metrics
