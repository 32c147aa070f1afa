#pragma once
/// Search results, one line per trace, newest first:
///
///   2024-01-31T05:28:29.209712Z  checkout  GET /cart  12.3ms  14 spans  1 error   4bf92f35...
///
/// Columns: start (RFC 3339, UTC), root service, root operation, duration, span count, error
/// count, trace id. A summary can come from a built tree or straight from Jaeger's api_v3
/// `/api/v3/trace-summaries` (no spans needed).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "jaeger/span_tree.hpp"

namespace vmterm::jaeger {

struct trace_summary {
  trace::trace_id id{};
  std::uint64_t start_unix_nano = 0;
  std::uint64_t duration_ns = 0;
  std::string root_service{};
  std::string root_operation{};
  std::size_t span_count = 0;
  std::size_t error_count = 0;
  std::size_t orphan_count = 0;
};

/// The summary of a built tree (root = its main root).
[[nodiscard]] trace_summary summarize(const trace_tree& tree);

/// Sorts newest first (ties by trace id) and renders one aligned line per trace; the root
/// service is coloured and the error count red when `colour` is set.
[[nodiscard]] std::string render_search(std::vector<trace_summary> summaries, bool colour);

}  // namespace vmterm::jaeger
