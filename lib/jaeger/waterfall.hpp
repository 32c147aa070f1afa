#pragma once
/// Waterfall bars: a span's place in its trace's time, scaled to a number of cells.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vmterm::jaeger {

/// Cells [first, first + count) of a bar `width` cells wide.
struct bar_cells {
  std::size_t first = 0;
  std::size_t count = 0;
  friend bool operator==(const bar_cells&, const bar_cells&) = default;
};

/// The bar of a span [start, end) in a trace [trace_start, trace_end): it starts at the
/// span's offset (rounded down) and covers its duration (rounded up), at least one cell, never
/// past the edge. A zero-length trace fills the width.
[[nodiscard]] bar_cells scale_bar(std::uint64_t trace_start, std::uint64_t trace_end,
                                  std::uint64_t start, std::uint64_t end,
                                  std::size_t width) noexcept;

/// Appends `│` + the bar (`█` cells, spaces elsewhere) + `│`; the bar in `colour` if enabled.
void append_bar(std::string& out, bar_cells bar, std::size_t width, std::string_view colour,
                bool enabled);

}  // namespace vmterm::jaeger
