#pragma once
/// The four plugin states and how several fold into one: worst wins in the order
/// OK < UNKNOWN < WARNING < CRITICAL (monitoring-plugins 3.0 `max_state_alt`). The state is the
/// exit code (core/exit_code.hpp health_status).

#include <string_view>

#include "core/exit_code.hpp"

namespace vmterm::health {

using state = vmterm::health_status;

/// "OK", "WARNING", "CRITICAL", "UNKNOWN".
[[nodiscard]] std::string_view state_name(state s) noexcept;
/// The worse of the two in the folding order (core/exit_code.hpp).
using vmterm::worst;
/// Parses "ok", "warning", "critical", "unknown" (any case); nullopt-like: false when unknown.
[[nodiscard]] bool parse_state(std::string_view text, state& out) noexcept;

}  // namespace vmterm::health
