#pragma once
/// Span trees: one tree per trace, built from spans of any number of traces, with what a
/// reader of a trace asks for: depth, self time, the critical path, and the damage real data
/// carries (clock skew, orphans, duplicate span ids, reference cycles) found and counted.
///
/// Pure and thread-compatible: a trace_tree owns its spans and is a plain value.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include "trace/span_data.hpp"

namespace vmterm::jaeger {

/// "No node": the parent of a root.
inline constexpr std::uint32_t no_node = std::numeric_limits<std::uint32_t>::max();

/// How much earlier than its parent a child may start before it is flagged as clock skew: the
/// rounding of timestamps taken as float seconds (Python's time.time(), ~0.24µs at today's
/// epoch) and of Jaeger's microseconds. A child ending after its parent is never skew: that is
/// asynchronous work (Jaeger's clock skew adjuster, too, only moves a child that is longer
/// than its parent when it starts before it).
inline constexpr std::uint64_t clock_skew_tolerance_ns = 1'000;

/// One span in a trace_tree and what the tree knows about it.
struct span_node {
  trace::span_data span{};
  std::uint32_t parent = no_node;         ///< index into trace_tree::nodes; no_node for a root
  std::vector<std::uint32_t> children{};  ///< sorted by start time, then input order
  std::uint32_t depth = 0;                ///< 0 for every root
  std::uint64_t self_time_ns = 0;  ///< duration minus the union of the children's time inside it
  std::uint64_t critical_ns = 0;   ///< how much of the critical path runs through this span
  bool on_critical_path = false;
  bool orphan = false;        ///< names a parent that no span of the trace carries
  bool duplicate_id = false;  ///< another span of the trace has the same span id
  bool clock_skew = false;    ///< starts before its parent (beyond clock_skew_tolerance_ns)
  bool cycle_broken = false;  ///< its parent link was cut because it closed a reference cycle

  [[nodiscard]] std::uint64_t duration_ns() const noexcept {
    return span.end_unix_nano > span.start_unix_nano ? span.end_unix_nano - span.start_unix_nano
                                                     : 0;
  }
  [[nodiscard]] bool is_error() const noexcept {
    return span.status.code == trace::status_code::error;
  }
};

/// One stretch of the critical path: `node` was the one doing the work in [start, end).
struct critical_section {
  std::uint32_t node = no_node;
  std::uint64_t start_unix_nano = 0;
  std::uint64_t end_unix_nano = 0;
};

/// One trace as a forest: normally one root, plus orphans and spans cut out of cycles.
struct trace_tree {
  trace::trace_id id{};
  std::vector<span_node> nodes{};      ///< in input order; indices are stable
  std::vector<std::uint32_t> roots{};  ///< main root first, then the other roots by start time
  std::vector<std::uint32_t> order{};  ///< every node depth-first from roots[0], roots[1], ...
  /// From the main root, earliest first (Jaeger UI's last-finishing-child walk).
  std::vector<critical_section> critical_path{};
  std::uint64_t start_unix_nano = 0;  ///< earliest start of any span
  std::uint64_t end_unix_nano = 0;    ///< latest end of any span
  std::size_t orphan_count = 0;       ///< spans whose parent is missing (shown as extra roots)
  std::size_t duplicate_count = 0;    ///< spans beyond the first carrying an already-seen id
  std::size_t cycle_count = 0;        ///< parent links cut to break reference cycles
  std::size_t skew_count = 0;         ///< spans flagged clock_skew
  std::size_t error_count = 0;        ///< spans with status error

  [[nodiscard]] const span_node& root() const { return nodes[roots.front()]; }
  [[nodiscard]] std::uint64_t duration_ns() const noexcept {
    return end_unix_nano - start_unix_nano;
  }
};

/// The span's `service.name` resource attribute; "" when it has none.
[[nodiscard]] std::string_view service_name(const trace::span_data& span) noexcept;

/// Builds the tree of one trace. All spans should carry the same trace id (the first one's is
/// used); an empty input gives an empty tree. O(n log n) time, O(n) extra memory.
[[nodiscard]] trace_tree build_tree(std::vector<trace::span_data> spans);

/// Groups spans by trace id and builds one tree per trace, in order of first appearance.
[[nodiscard]] std::vector<trace_tree> build_trees(std::vector<trace::span_data> spans);

}  // namespace vmterm::jaeger
