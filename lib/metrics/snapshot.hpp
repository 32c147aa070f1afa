#pragma once
/// The data handed from metrics to the exposition writer: a point-in-time copy of each family
/// and its samples. Plain values, no atomics, no locks.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vmterm::metrics {

enum class metric_type { counter, gauge, histogram, untyped };

/// The type's name as the exposition format's TYPE line spells it ("counter", ...).
[[nodiscard]] constexpr std::string_view to_string(metric_type t) noexcept {
  switch (t) {
    case metric_type::counter:
      return "counter";
    case metric_type::gauge:
      return "gauge";
    case metric_type::histogram:
      return "histogram";
    case metric_type::untyped:
      return "untyped";
  }
  return "untyped";
}

using label_pair = std::pair<std::string, std::string>;

/// One exposition line: `name{labels} value`. `name` includes any suffix (`_bucket`, `_sum`).
struct sample {
  std::string name{};
  std::vector<label_pair> labels{};
  double value{0};
};

/// A metric family: its HELP text, its TYPE and its samples in exposition order.
struct family_snapshot {
  std::string name{};
  std::string help{};
  metric_type type{metric_type::untyped};
  std::vector<sample> samples{};
};

}  // namespace vmterm::metrics
