#pragma once
/// What stdout is: colour (auto|always|never, NO_COLOR, a terminal) and the line width
/// (--width, COLUMNS, the terminal's size, else 100).

#include <cstddef>
#include <optional>
#include <string>

#include "core/config.hpp"

namespace vmterm::trace_cli {

[[nodiscard]] bool use_colour(const std::string& mode, const config::env_lookup& env);

[[nodiscard]] std::size_t line_width(std::optional<std::size_t> flag,
                                     const config::env_lookup& env);

}  // namespace vmterm::trace_cli
