#pragma once
/// Terminal cell arithmetic for UTF-8 text: one cell per code point (box-drawing characters,
/// `µ` and the markers the renderers use are all one cell wide), ANSI colour sequences, and a
/// stable colour per service name.

#include <cstddef>
#include <string>
#include <string_view>

namespace vmterm::jaeger {

/// Cells `text` occupies: its UTF-8 code points (escape sequences are never passed in).
[[nodiscard]] std::size_t cell_width(std::string_view text) noexcept;

/// Appends `text` and then spaces up to `width` cells (nothing when already wider).
void append_padded(std::string& out, std::string_view text, std::size_t width);

/// Appends spaces and then `text`, right-aligned in `width` cells.
void append_right(std::string& out, std::string_view text, std::size_t width);

/// At most `width` cells of `text`, ending in `…` when cut.
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

/// "1 span", "3 spans": a count with the right noun.
[[nodiscard]] inline std::string counted(std::size_t n, std::string_view one,
                                         std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace vmterm::jaeger
