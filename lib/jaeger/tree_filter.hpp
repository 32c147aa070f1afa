#pragma once
/// Filters that keep a span tree connected: a span is shown when it matches every given
/// criterion or when a shown span lies beneath it (ancestors always come along), and
/// `max_depth` then cuts everything deeper. With no criteria every span is shown.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "jaeger/span_tree.hpp"

namespace vmterm::jaeger {

struct tree_filter {
  std::optional<std::uint32_t> max_depth{};  ///< `--depth N`: roots are depth 0
  std::uint64_t min_duration_ns = 0;         ///< `--min-duration`
  bool errors_only = false;                  ///< `--errors`: spans with status error
  std::optional<std::string> service{};      ///< `--service S`: exact service.name
  bool critical_path_only = false;           ///< `--critical-path`

  [[nodiscard]] bool empty() const noexcept {
    return !max_depth && min_duration_ns == 0 && !errors_only && !service && !critical_path_only;
  }
};

/// visible[i] says whether tree.nodes[i] is shown. Every visible span's parent is visible.
using visibility = std::vector<bool>;

/// Evaluates the filter over the tree in O(n).
[[nodiscard]] visibility select(const trace_tree& tree, const tree_filter& filter);

/// How many spans `visible` shows.
[[nodiscard]] std::size_t visible_count(const visibility& visible) noexcept;

}  // namespace vmterm::jaeger
