#pragma once
/// The critical path of a trace, as Jaeger's UI computes it (jaeger-ui
/// TracePage/CriticalPath): children are first clipped to their parent's time (children
/// entirely outside it are ignored); then, from the root's end, repeatedly descend into the
/// last-finishing child that ends before the current point, and when a span has no such child,
/// the time back to its start is its own and the walk returns to its parent at that start.
/// Runs in O(n log n); never loops, even on inconsistent times.

#include "jaeger/span_tree.hpp"

namespace vmterm::jaeger {

/// Fills tree.critical_path and each node's on_critical_path / critical_ns, from roots[0].
/// Expects children, roots and order to be set (build_tree calls it).
void compute_critical_path(trace_tree& tree);

}  // namespace vmterm::jaeger
