#pragma once
/// The span tree as text: a header line for the trace, then one line per shown span.
///
///   trace 4bf92f3577b34da6a3ce929d0e0e4736  2024-01-31T05:28:29.209712Z  12.3ms  3 spans, 1 error
///   GET /cart             checkout  server      +0µs  12.3ms  self  2.1ms ◆ │████████│
///   ├─ SELECT cart        db        client    +1.2ms  8.5ms   self  8.5ms ◆ │ ██████ │
///   └─ publish            checkout  producer  +9.8ms  400µs   self  400µs   │      █ │ ✗ timeout
///
/// Columns: tree and operation, service (coloured per service when enabled), kind, start
/// offset from the trace start, duration, self time, `◆` on the critical path, the waterfall
/// (when a width is given), then notes: `✗ <status message>` for errors, `orphan (parent <id>
/// missing)`, `clock skew`, `duplicate id`, `cycle broken`, `N links`. Verbose mode adds
/// attributes, events (`• +offset name k=v`) and links (`↪ follows_from <trace>/<span>`)
/// under each span. Pure: writes to a string; the caller decides on colour and width.

#include <cstddef>
#include <ostream>
#include <string>

#include "jaeger/span_tree.hpp"
#include "jaeger/tree_filter.hpp"

namespace vmterm::jaeger {

struct tree_render_options {
  bool colour = false;   ///< ANSI colours (services, errors, notes, bars)
  bool verbose = false;  ///< attributes, events and links under each span
  /// Total line width in cells; the waterfall takes what the text columns leave (at least
  /// `min_waterfall` cells). 0: no waterfall.
  std::size_t width = 0;
  std::size_t min_waterfall = 10;
  std::size_t max_name_cells = 60;  ///< longer operation names end in `…`
};

/// Renders the spans `visible` shows (see select()); ancestors of shown spans must be shown.
[[nodiscard]] std::string render_tree(const trace_tree& tree, const visibility& visible,
                                      const tree_render_options& options);

/// Renders every span.
[[nodiscard]] std::string render_tree(const trace_tree& tree, const tree_render_options& options);

/// Streams render_tree(tree, visible, options).
void write_tree(std::ostream& out, const trace_tree& tree, const visibility& visible,
                const tree_render_options& options);

}  // namespace vmterm::jaeger
