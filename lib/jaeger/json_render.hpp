#pragma once
/// `--json`: one JSON object per trace, one per line (JSON Lines), for jq. The shape is part
/// of vmterm-trace's interface (man page vmterm-trace(1)); fields are only ever added.
///
///   {
///     "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",   32 lowercase hex digits
///     "start_unix_nano": "1706678909209712000",        string: ns since the epoch
///     "end_unix_nano": "1706678909209835000",          string
///     "duration_ns": 123000,                           number
///     "root": {"span_id": "...", "service": "...", "name": "..."},   the main root
///     "span_count": 2,       every span of the trace, shown or not
///     "error_count": 0,      spans with status error
///     "orphan_count": 2,     spans whose parent is missing (extra roots)
///     "duplicate_count": 1,  spans beyond the first with an already-seen span id
///     "cycle_count": 0,      parent links cut to break reference cycles
///     "spans": [             the shown spans, depth-first, children by start time
///       {
///         "span_id": "e127af99e3b3e074",
///         "parent_span_id": "909541b92cf05311",   null for a root without a parent id
///         "depth": 0,                              roots are 0
///         "service": "telemetrygen",              resource service.name ("" if none)
///         "name": "okey-dokey-0",
///         "kind": "server",            internal|server|client|producer|consumer
///         "start_unix_nano": "1706678909209712000",   string
///         "end_unix_nano": "1706678909209835000",     string
///         "duration_ns": 123000,                      number
///         "self_time_ns": 123000,      duration minus the children's time inside it
///         "status": {"code": "unset", "message": ""},   code: unset|ok|error
///         "attributes": {"net.peer.ip": "1.2.3.4"},     strings, numbers, booleans, arrays
///         "events": [{"name": "...", "time_unix_nano": "...", "attributes": {...}}],
///         "links": [{"trace_id": "...", "span_id": "...", "attributes": {...}}],
///         "on_critical_path": true,
///         "anomalies": ["orphan"]   any of orphan, clock_skew, duplicate_id, cycle_broken
///       }
///     ]
///   }
///
/// Timestamps are strings because ns since the epoch exceed 2^53, past which jq (IEEE doubles)
/// rounds; durations are numbers (exact up to 104 days). int64 attributes are numbers (exact
/// in jq up to 2^53). NaN and infinite doubles become null; invalid UTF-8 becomes U+FFFD.

#include <ostream>
#include <string>
#include <vector>

#include "jaeger/span_tree.hpp"
#include "jaeger/tree_filter.hpp"

namespace vmterm::jaeger {

/// The object for one trace, spans limited to `visible`, on one line with a trailing newline.
[[nodiscard]] std::string render_json(const trace_tree& tree, const visibility& visible);

/// The same, streamed to `out` in pieces of about 64 KiB (for traces of 100,000 spans).
void write_json(std::ostream& out, const trace_tree& tree, const visibility& visible);

/// Every span of every tree: one line per trace.
[[nodiscard]] std::string render_json(const std::vector<trace_tree>& trees);

}  // namespace vmterm::jaeger
