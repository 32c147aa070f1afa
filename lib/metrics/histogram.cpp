#include "metrics/histogram.hpp"

#include <algorithm>
#include <cmath>

#include "metrics/exposition.hpp"

namespace vmterm::metrics {

histogram::histogram(std::span<const double> bounds)
    : bounds_(bounds), counts_(new std::atomic<std::uint64_t>[bounds.size() + 1]) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void histogram::observe(double v) noexcept {
  // `le` is inclusive: the first bound >= v.
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  const auto i = std::isnan(v) ? bounds_.size() : static_cast<std::size_t>(it - bounds_.begin());
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

histogram::totals histogram::read() const {
  totals t;
  t.cumulative.reserve(bounds_.size() + 1);
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    t.count += counts_[i].load(std::memory_order_relaxed);
    t.cumulative.push_back(t.count);
  }
  t.sum = sum_.load(std::memory_order_relaxed);
  return t;
}

void histogram::collect(const std::string& name, std::vector<label_pair> labels,
                        std::vector<sample>& out) const {
  const totals t = read();
  const std::string bucket = name + "_bucket";
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    auto with_le = labels;
    with_le.emplace_back("le", i < bounds_.size() ? format_value(bounds_[i]) : "+Inf");
    out.push_back(sample{bucket, std::move(with_le), static_cast<double>(t.cumulative[i])});
  }
  out.push_back(sample{name + "_sum", labels, t.sum});
  out.push_back(sample{name + "_count", std::move(labels), static_cast<double>(t.count)});
}

}  // namespace vmterm::metrics
