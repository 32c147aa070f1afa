#pragma once
/// Counts observations into buckets (Prometheus histogram). `observe` is lock-free: one bucket
/// search over the bounds, one relaxed add on the bucket and one on the sum. `_count` is the
/// sum of the buckets, so it always equals the `+Inf` bucket in a scrape.

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "metrics/snapshot.hpp"

namespace vmterm::metrics {

class histogram {
 public:
  /// `bounds` (strictly increasing, without +Inf) must outlive the histogram; a family owns
  /// them for its children.
  explicit histogram(std::span<const double> bounds);
  histogram(const histogram&) = delete;
  histogram& operator=(const histogram&) = delete;

  /// Records one observation; NaN lands only in the `+Inf` bucket.
  void observe(double v) noexcept;

  /// Cumulative bucket counts (one per bound, then +Inf), the sum and the count.
  struct totals {
    std::vector<std::uint64_t> cumulative{};
    double sum{0};
    std::uint64_t count{0};
  };
  [[nodiscard]] totals read() const;

  /// Appends `name_bucket{labels,le="..."}` for each bound and +Inf, then `name_sum` and
  /// `name_count`.
  void collect(const std::string& name, std::vector<label_pair> labels,
               std::vector<sample>& out) const;

 private:
  std::span<const double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  ///< bounds_.size() + 1, not cumulative
  std::atomic<double> sum_{0};
};

}  // namespace vmterm::metrics
