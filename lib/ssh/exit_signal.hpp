#pragma once
/// Signal names as RFC 4254 sends them in an exit-signal ("TERM", "KILL", ...); a channel's
/// exit code is 128+N for one (ssh::channel::exit_code).

#include <string_view>

namespace vmterm::ssh {

/// The number of a signal by its RFC 4254 name ("HUP" → 1); 0 when unknown.
[[nodiscard]] int signal_number(std::string_view name) noexcept;

}  // namespace vmterm::ssh
