#include "metrics/counter.hpp"

#include <cmath>

namespace vmterm::metrics {

void counter::inc(double v) noexcept {
  if (!(v >= 0)) return;
  if (v < 9007199254740992.0 && v == std::trunc(v)) {
    whole_.fetch_add(static_cast<std::uint64_t>(v), std::memory_order_relaxed);
  } else {
    fraction_.fetch_add(v, std::memory_order_relaxed);
  }
}

double counter::value() const noexcept {
  return static_cast<double>(whole_.load(std::memory_order_relaxed)) +
         fraction_.load(std::memory_order_relaxed);
}

void counter::collect(const std::string& name, std::vector<label_pair> labels,
                      std::vector<sample>& out) const {
  out.push_back(sample{name, std::move(labels), value()});
}

}  // namespace vmterm::metrics
