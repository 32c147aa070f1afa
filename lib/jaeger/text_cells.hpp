#pragma once
/// Terminal cell arithmetic for UTF-8 text: the cells a terminal gives each code point (two for
/// East Asian wide and fullwidth characters and most emoji, none for combining marks, one for
/// the rest, box drawing and `µ` included), text made safe for a terminal, ANSI colour
/// sequences, and a stable colour per service name.
///
/// Names come from trace data, which anyone may write: terminal_text() (and truncate_cells(),
/// which every name column goes through) shows control characters, bidi overrides and invalid
/// UTF-8 as U+FFFD, so a span name cannot move the cursor, recolour or retitle the terminal.

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

namespace vmterm::jaeger {

/// Cells `text` occupies once shown as terminal_text(text).
[[nodiscard]] std::size_t cell_width(std::string_view text) noexcept;

/// Cells one code point occupies (0, 1 or 2); control characters count as the U+FFFD shown
/// for them.
[[nodiscard]] unsigned code_point_cells(char32_t cp) noexcept;

/// `text` with control characters (C0, DEL, C1), bidi embeddings and overrides and invalid
/// UTF-8 each replaced by U+FFFD.
[[nodiscard]] std::string terminal_text(std::string_view text);

/// Appends `text` and then spaces up to `width` cells (nothing when already wider).
void append_padded(std::string& out, std::string_view text, std::size_t width);

/// Appends spaces and then `text`, right-aligned in `width` cells.
void append_right(std::string& out, std::string_view text, std::size_t width);

/// terminal_text(text) in at most `width` cells, ending in `…` when cut.
[[nodiscard]] std::string truncate_cells(std::string_view text, std::size_t width);

namespace ansi {
inline constexpr std::string_view reset = "\x1b[0m";
inline constexpr std::string_view bold = "\x1b[1m";
inline constexpr std::string_view dim = "\x1b[2m";
inline constexpr std::string_view red = "\x1b[31m";
inline constexpr std::string_view yellow = "\x1b[33m";
}  // namespace ansi

/// The service's colour, picked from a fixed palette by a hash of the name, so a service keeps
/// its colour across runs and machines.
[[nodiscard]] std::string_view service_colour(std::string_view service) noexcept;

/// `text` wrapped in `colour` and reset, or `text` alone when `enabled` is false.
void append_coloured(std::string& out, std::string_view text, std::string_view colour,
                     bool enabled);

/// Narrows the widest of `cols` one cell at a time, never below its `min`, until they are
/// `excess` cells narrower in total or all are at their minimum; returns what could not be
/// taken (0 when it fitted).
struct flex_column {
  std::size_t* width;
  std::size_t min;
};
std::size_t shrink_widest(std::initializer_list<flex_column> cols, std::size_t excess) noexcept;

/// "1 span", "3 spans": a count with the right noun.
[[nodiscard]] inline std::string counted(std::size_t n, std::string_view one,
                                         std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace vmterm::jaeger
