#pragma once
/// `stats`: per service and operation over any number of traces: count, error count,
/// duration percentiles (nearest rank: the smallest duration with at least p% of the spans at
/// or below it) and the total self time. Rendered as an aligned table or as JSON.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "jaeger/span_tree.hpp"

namespace vmterm::jaeger {

struct operation_stats {
  std::string service{};
  std::string operation{};
  std::size_t count = 0;
  std::size_t error_count = 0;
  std::uint64_t p50_ns = 0;
  std::uint64_t p95_ns = 0;
  std::uint64_t p99_ns = 0;
  std::uint64_t max_ns = 0;
  std::uint64_t self_time_ns = 0;  ///< sum over the spans
};

/// Sorted by service, then operation.
[[nodiscard]] std::vector<operation_stats> compute_stats(const std::vector<trace_tree>& trees);

/// Nearest-rank percentile of ascending `sorted` (0 when empty); p in (0, 100].
[[nodiscard]] std::uint64_t percentile(const std::vector<std::uint64_t>& sorted, double p);

/// SERVICE  OPERATION  COUNT  ERRORS  P50  P95  P99  MAX  SELF, one row per operation. With a
/// `width` (0: no limit) long services and operations end in `…` so that rows fit in it.
[[nodiscard]] std::string render_stats_table(const std::vector<operation_stats>& stats, bool colour,
                                             std::size_t width = 0);

/// A JSON array (one line): [{"service","operation","count","error_count","p50_ns","p95_ns",
/// "p99_ns","max_ns","self_time_ns"}]; all numbers.
[[nodiscard]] std::string render_stats_json(const std::vector<operation_stats>& stats);

}  // namespace vmterm::jaeger
