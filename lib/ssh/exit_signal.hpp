#pragma once
/// The exit code of a finished SSH channel: its exit-status, or 128+N for an exit-signal
/// (signal names as RFC 4254 sends them, "TERM", "KILL", ...). libssh2 types stay in .cpp files
/// of lib/ssh, which include this header.

#include <string_view>

struct _LIBSSH2_SESSION;
struct _LIBSSH2_CHANNEL;

namespace vmterm::ssh {

/// The number of a signal by its RFC 4254 name ("HUP" → 1); 0 when unknown.
[[nodiscard]] int signal_number(std::string_view name) noexcept;

[[nodiscard]] int exit_code_of(_LIBSSH2_SESSION* session, _LIBSSH2_CHANNEL* channel) noexcept;

}  // namespace vmterm::ssh
