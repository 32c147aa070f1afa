#pragma once
/// What stdout is: colour (auto|always|never, NO_COLOR, a terminal) and the line width
/// (--width, COLUMNS, the terminal's size).

#include <cstddef>
#include <optional>
#include <string>

#include "core/config.hpp"

namespace vmterm::trace_cli {

[[nodiscard]] bool use_colour(const std::string& mode, const config::env_lookup& env);

/// The width to fit: --width, else COLUMNS, else the terminal's; 0 when none is known (stdout
/// is a pipe or a file: lines are not cut, so scripts get whole names).
[[nodiscard]] std::size_t known_width(std::optional<std::size_t> flag,
                                      const config::env_lookup& env);

/// For the tree: known_width(), else 100 (the waterfall needs a width).
[[nodiscard]] std::size_t line_width(std::optional<std::size_t> flag,
                                     const config::env_lookup& env);

}  // namespace vmterm::trace_cli
