#include "jaeger/critical_path.hpp"

#include <algorithm>

namespace vmterm::jaeger {
namespace {

/// Times clipped to the parent's clipped time; children entirely outside are left out.
struct clipped {
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  bool included = false;
};

std::vector<clipped> clip_to_parents(const trace_tree& t) {
  std::vector<clipped> c(t.nodes.size());
  for (auto i : t.order) {  // parents come before their children
    const auto& node = t.nodes[i];
    const auto s = node.span.start_unix_nano;
    const auto e = std::max(s, node.span.end_unix_nano);
    if (node.parent == no_node) {
      c[i] = {s, e, true};
      continue;
    }
    const auto& p = c[node.parent];
    if (!p.included || s > p.end || e < p.start) continue;
    c[i] = {std::max(s, p.start), std::min(e, p.end), true};
  }
  return c;
}

/// Each node's included children, latest clipped end first, as ranges of one flat array.
struct children_by_end {
  std::vector<std::uint32_t> flat;
  std::vector<std::uint32_t> first;  // node i's children are flat[first[i] .. first[i+1])
};

children_by_end sort_children(const trace_tree& t, const std::vector<clipped>& c) {
  children_by_end out;
  out.first.resize(t.nodes.size() + 1);
  for (std::uint32_t i = 0; i < t.nodes.size(); ++i) {
    out.first[i] = static_cast<std::uint32_t>(out.flat.size());
    for (auto ch : t.nodes[i].children) {
      if (c[ch].included) out.flat.push_back(ch);
    }
    std::sort(out.flat.begin() + out.first[i], out.flat.end(),
              [&c](std::uint32_t a, std::uint32_t b) {
                return c[a].end != c[b].end ? c[a].end > c[b].end : a < b;
              });
  }
  out.first[t.nodes.size()] = static_cast<std::uint32_t>(out.flat.size());
  return out;
}

}  // namespace

void compute_critical_path(trace_tree& t) {
  t.critical_path.clear();
  if (t.roots.empty()) return;
  const auto c = clip_to_parents(t);
  const auto kids = sort_children(t, c);
  // cursor[i]: children of i before it end too late for any later, earlier barrier.
  std::vector<std::uint32_t> cursor(kids.first.begin(), kids.first.end() - 1);
  const std::uint32_t root = t.roots.front();
  std::uint32_t cur = root;
  std::uint64_t barrier = c[root].end;
  bool entering = true;  // on entry a child may end exactly at the barrier
  auto add = [&t](std::uint32_t node, std::uint64_t start, std::uint64_t end) {
    t.nodes[node].on_critical_path = true;
    if (start >= end) return;
    t.nodes[node].critical_ns += end - start;
    t.critical_path.push_back({node, start, end});
  };
  for (;;) {
    auto& pos = cursor[cur];
    while (pos < kids.first[cur + 1] &&
           (entering ? c[kids.flat[pos]].end > barrier : c[kids.flat[pos]].end >= barrier)) {
      ++pos;
    }
    if (pos < kids.first[cur + 1]) {  // descend into the last-finishing child
      const std::uint32_t lfc = kids.flat[pos++];
      add(cur, c[lfc].end, barrier);
      cur = lfc;
      barrier = c[lfc].end;
      entering = true;
      continue;
    }
    add(cur, c[cur].start, barrier);
    if (cur == root) break;
    barrier = c[cur].start;  // back to the parent, at the time this span started
    cur = t.nodes[cur].parent;
    entering = false;
  }
  std::reverse(t.critical_path.begin(), t.critical_path.end());
}

}  // namespace vmterm::jaeger
