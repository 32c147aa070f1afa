#include "jaeger/span_tree.hpp"

#include <algorithm>
#include <map>
#include <span>
#include <utility>

#include "jaeger/critical_path.hpp"

namespace vmterm::jaeger {
namespace {

using id_entry = std::pair<std::uint64_t, std::uint32_t>;  // (span id, node index)

std::uint64_t key_of(const trace::span_id& id) noexcept {
  std::uint64_t k = 0;
  for (auto b : id.bytes) k = (k << 8) | b;
  return k;
}

bool starts_before(const span_node& a, std::uint32_t ai, const span_node& b, std::uint32_t bi) {
  if (a.span.start_unix_nano != b.span.start_unix_nano) {
    return a.span.start_unix_nano < b.span.start_unix_nano;
  }
  return ai < bi;
}

/// Sorted (id, index) pairs; marks and counts duplicate ids.
std::vector<id_entry> index_ids(trace_tree& t) {
  std::vector<id_entry> ids(t.nodes.size());
  for (std::uint32_t i = 0; i < ids.size(); ++i) ids[i] = {key_of(t.nodes[i].span.span), i};
  std::sort(ids.begin(), ids.end());
  for (std::size_t i = 0; i < ids.size();) {
    std::size_t j = i + 1;
    while (j < ids.size() && ids[j].first == ids[i].first) ++j;
    if (j - i > 1) {
      t.duplicate_count += j - i - 1;
      for (std::size_t k = i; k < j; ++k) t.nodes[ids[k].second].duplicate_id = true;
    }
    i = j;
  }
  return ids;
}

/// When several spans carry the parent's id, prefer one whose time contains the child's start,
/// else the first in input order; never the child itself. Looks at a bounded number of
/// candidates so that a pathological input stays O(n log n).
std::uint32_t pick_parent(const trace_tree& t, std::uint32_t child,
                          std::span<const id_entry> candidates) {
  constexpr std::size_t max_candidates = 16;
  const auto start = t.nodes[child].span.start_unix_nano;
  std::uint32_t fallback = no_node;
  for (std::size_t k = 0; k < candidates.size() && k < max_candidates; ++k) {
    const std::uint32_t c = candidates[k].second;
    if (c == child) continue;
    const auto& s = t.nodes[c].span;
    if (s.start_unix_nano <= start && start <= s.end_unix_nano) return c;
    if (fallback == no_node) fallback = c;
  }
  return fallback;
}

void link_parents(trace_tree& t) {
  const auto ids = index_ids(t);
  for (std::uint32_t i = 0; i < t.nodes.size(); ++i) {
    auto& node = t.nodes[i];
    if (!node.span.parent.valid()) continue;
    const auto key = key_of(node.span.parent);
    auto lo = std::lower_bound(ids.begin(), ids.end(), id_entry{key, 0});
    auto hi = std::upper_bound(lo, ids.end(), id_entry{key, no_node});
    node.parent = pick_parent(t, i, std::span<const id_entry>(lo, hi));
    if (node.parent == no_node) {
      // A span naming itself as parent with no twin is a cycle of one, not an orphan.
      const bool self = hi - lo == 1 && lo->second == i;
      node.orphan = !self;
      node.cycle_broken = self;
      (self ? t.cycle_count : t.orphan_count) += 1;
    }
  }
}

/// Parent links form a functional graph; walk each chain once, cutting each cycle at its
/// earliest-starting span (which becomes a root flagged cycle_broken).
void break_cycles(trace_tree& t) {
  std::vector<std::uint8_t> state(t.nodes.size(), 0);  // 0 new, 1 on the current walk, 2 done
  std::vector<std::uint32_t> path;
  for (std::uint32_t i = 0; i < t.nodes.size(); ++i) {
    std::uint32_t cur = i;
    while (cur != no_node && state[cur] == 0) {
      state[cur] = 1;
      path.push_back(cur);
      cur = t.nodes[cur].parent;
    }
    if (cur != no_node && state[cur] == 1) {
      auto first = std::find(path.begin(), path.end(), cur);
      std::uint32_t cut = *first;
      for (auto it = first; it != path.end(); ++it) {
        if (starts_before(t.nodes[*it], *it, t.nodes[cut], cut)) cut = *it;
      }
      t.nodes[cut].parent = no_node;
      t.nodes[cut].cycle_broken = true;
      ++t.cycle_count;
    }
    for (auto p : path) state[p] = 2;
    path.clear();
  }
}

void attach_children(trace_tree& t) {
  for (std::uint32_t i = 0; i < t.nodes.size(); ++i) {
    auto& node = t.nodes[i];
    if (node.parent == no_node) {
      t.roots.push_back(i);
      continue;
    }
    // Only a child that starts before its parent is skewed: one that ends after its parent is
    // asynchronous work the parent started and did not wait for (a WebSocket outliving its
    // upgrade request, a Celery task outliving apply_async), as Jaeger's adjuster treats it.
    const auto& p = t.nodes[node.parent].span;
    node.clock_skew = p.start_unix_nano > clock_skew_tolerance_ns &&
                      node.span.start_unix_nano < p.start_unix_nano - clock_skew_tolerance_ns;
    t.skew_count += node.clock_skew ? 1U : 0U;
    t.nodes[node.parent].children.push_back(i);
  }
  const auto by_start = [&t](std::uint32_t a, std::uint32_t b) {
    return starts_before(t.nodes[a], a, t.nodes[b], b);
  };
  for (auto& node : t.nodes) std::sort(node.children.begin(), node.children.end(), by_start);
  std::sort(t.roots.begin(), t.roots.end(), by_start);
  // The main root is the earliest true root (no parent id); orphans and cut spans come after.
  auto main = std::find_if(t.roots.begin(), t.roots.end(), [&t](std::uint32_t r) {
    return !t.nodes[r].orphan && !t.nodes[r].cycle_broken;
  });
  if (main != t.roots.end()) std::rotate(t.roots.begin(), main, main + 1);
}

void order_depth_first(trace_tree& t) {
  t.order.reserve(t.nodes.size());
  std::vector<std::uint32_t> stack(t.roots.rbegin(), t.roots.rend());
  while (!stack.empty()) {
    const std::uint32_t i = stack.back();
    stack.pop_back();
    t.order.push_back(i);
    const auto& node = t.nodes[i];
    for (auto c = node.children.rbegin(); c != node.children.rend(); ++c) {
      t.nodes[*c].depth = node.depth + 1;
      stack.push_back(*c);
    }
  }
}

/// Duration minus the union of the children's intervals clipped to the span.
std::uint64_t self_time(const trace_tree& t, const span_node& node) {
  const auto lo = node.span.start_unix_nano;
  const auto hi = std::max(lo, node.span.end_unix_nano);
  std::uint64_t covered = 0;
  std::uint64_t run_start = 0;
  std::uint64_t run_end = 0;
  bool in_run = false;
  for (auto c : node.children) {  // sorted by start, so the clipped starts are sorted too
    const auto s = std::clamp(t.nodes[c].span.start_unix_nano, lo, hi);
    const auto e = std::clamp(t.nodes[c].span.end_unix_nano, lo, hi);
    if (s >= e) continue;
    if (in_run && s <= run_end) {
      run_end = std::max(run_end, e);
      continue;
    }
    if (in_run) covered += run_end - run_start;
    run_start = s;
    run_end = e;
    in_run = true;
  }
  if (in_run) covered += run_end - run_start;
  return (hi - lo) - covered;
}

void summarise(trace_tree& t) {
  if (t.nodes.empty()) return;
  t.start_unix_nano = t.nodes.front().span.start_unix_nano;
  t.end_unix_nano = t.nodes.front().span.end_unix_nano;
  for (auto& node : t.nodes) {
    t.start_unix_nano = std::min(t.start_unix_nano, node.span.start_unix_nano);
    t.end_unix_nano = std::max(t.end_unix_nano, node.span.end_unix_nano);
    t.error_count += node.is_error() ? 1U : 0U;
    node.self_time_ns = self_time(t, node);
  }
}

}  // namespace

std::string_view service_name(const trace::span_data& span) noexcept {
  if (!span.resource) return {};
  const auto* v = trace::find_attribute(span.resource->attrs, "service.name");
  const auto* s = v != nullptr ? std::get_if<std::string>(v) : nullptr;
  return s != nullptr ? std::string_view(*s) : std::string_view();
}

trace_tree build_tree(std::vector<trace::span_data> spans) {
  trace_tree t;
  if (spans.empty()) return t;
  t.id = spans.front().trace;
  t.nodes.reserve(spans.size());
  for (auto& s : spans) t.nodes.push_back(span_node{.span = std::move(s)});
  spans = {};
  link_parents(t);
  break_cycles(t);
  attach_children(t);
  order_depth_first(t);
  summarise(t);
  compute_critical_path(t);
  return t;
}

std::vector<trace_tree> build_trees(std::vector<trace::span_data> spans) {
  std::map<trace::trace_id, std::size_t> group_of;
  std::vector<std::vector<trace::span_data>> groups;
  for (auto& s : spans) {
    auto [it, added] = group_of.try_emplace(s.trace, groups.size());
    if (added) groups.emplace_back();
    groups[it->second].push_back(std::move(s));
  }
  spans = {};
  std::vector<trace_tree> trees;
  trees.reserve(groups.size());
  for (auto& g : groups) trees.push_back(build_tree(std::move(g)));
  return trees;
}

}  // namespace vmterm::jaeger
