#include "jaeger/tree_filter.hpp"

#include <algorithm>

namespace vmterm::jaeger {
namespace {

bool matches(const span_node& node, const tree_filter& f) {
  if (node.duration_ns() < f.min_duration_ns) return false;
  if (f.errors_only && !node.is_error()) return false;
  if (f.service && service_name(node.span) != *f.service) return false;
  if (f.critical_path_only && !node.on_critical_path) return false;
  return true;
}

}  // namespace

visibility select(const trace_tree& tree, const tree_filter& filter) {
  visibility visible(tree.nodes.size(), false);
  for (std::size_t i = 0; i < tree.nodes.size(); ++i) visible[i] = matches(tree.nodes[i], filter);
  // Children come after their parents in `order`, so a reverse walk lifts matches upwards.
  for (auto it = tree.order.rbegin(); it != tree.order.rend(); ++it) {
    const auto parent = tree.nodes[*it].parent;
    if (visible[*it] && parent != no_node) visible[parent] = true;
  }
  if (filter.max_depth) {
    for (std::size_t i = 0; i < tree.nodes.size(); ++i) {
      if (tree.nodes[i].depth > *filter.max_depth) visible[i] = false;
    }
  }
  return visible;
}

std::size_t visible_count(const visibility& visible) noexcept {
  return static_cast<std::size_t>(std::count(visible.begin(), visible.end(), true));
}

}  // namespace vmterm::jaeger
