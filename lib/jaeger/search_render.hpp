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

#include "jaeger/source.hpp"
#include "jaeger/span_tree.hpp"

namespace vmterm::jaeger {

/// The summary of a built tree (root = its main root).
[[nodiscard]] trace_summary summarize(const trace_tree& tree);

/// Sorts newest first (ties by trace id) and keeps the first `limit` (0: all).
void newest_first(std::vector<trace_summary>& summaries, std::size_t limit);

/// Sorts newest first (ties by trace id) and renders one aligned line per trace; the root
/// service is coloured and the error count red when `colour` is set. With a `width` (0: no
/// limit) every line fits in it: long services and operations end in `…`, then the start
/// loses its fraction of a second, then goes; the trace id is never cut.
[[nodiscard]] std::string render_search(std::vector<trace_summary> summaries, bool colour,
                                        std::size_t width = 0);

}  // namespace vmterm::jaeger
