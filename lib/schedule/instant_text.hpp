#pragma once
/// Instants as text for `vmterm-beat check` and its --now: RFC 3339 with the zone's offset
/// ("2024-03-31T03:00:00+02:00", milliseconds only when not whole). Pure.

#include <string>
#include <string_view>

#include "core/error.hpp"
#include "schedule/entry.hpp"

namespace vmterm::schedule {

/// `t` as wall time in `tz` with its UTC offset.
[[nodiscard]] std::string format_instant(sys_ms t, const time_zone& tz);

/// "2024-03-30T12:00:00Z", "...+02:00", with optional ".mmm"; a space may replace the T.
/// Errors: "'x' is not an RFC 3339 time; write such as 2024-03-30T12:00:00Z".
[[nodiscard]] expected<sys_ms> parse_instant(std::string_view text);

}  // namespace vmterm::schedule
