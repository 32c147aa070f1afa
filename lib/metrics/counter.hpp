#pragma once
/// A monotonically increasing value (Prometheus counter). Updates are lock-free and may come
/// from any thread; whole increments take one relaxed atomic add.

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "metrics/snapshot.hpp"

namespace vmterm::metrics {

class counter {
 public:
  counter() = default;
  counter(const counter&) = delete;
  counter& operator=(const counter&) = delete;

  /// Adds one.
  void inc() noexcept { whole_.fetch_add(1, std::memory_order_relaxed); }
  /// Adds `v`; negative and NaN amounts are ignored (a counter never goes down).
  void inc(double v) noexcept;
  /// The current total.
  [[nodiscard]] double value() const noexcept;

  /// Appends this child's sample (`name{labels} value`).
  void collect(const std::string& name, std::vector<label_pair> labels,
               std::vector<sample>& out) const;

 private:
  std::atomic<std::uint64_t> whole_{0};  ///< whole increments, the common case
  std::atomic<double> fraction_{0};      ///< everything else
};

}  // namespace vmterm::metrics
