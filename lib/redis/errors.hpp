#pragma once
/// Error codes of lib/redis. Connection failures use std::errc (connection_refused, timed_out,
/// permission_denied for a refused AUTH, connection_aborted for a command in flight when the
/// connection broke, operation_canceled after close(), not_connected when a connection without
/// reconnect is down); what is Redis's own answer uses redis::errc.

#include <system_error>

namespace vmterm::redis {

enum class errc : int {
  server_error = 1,      ///< Redis answered with an error reply; the message has its words
  unexpected_reply = 2,  ///< a reply of another type than the caller asked for
  usage = 3,             ///< a command this type cannot send (SUBSCRIBE on a connection, ...)
};

[[nodiscard]] const std::error_category& error_category() noexcept;
[[nodiscard]] std::error_code make_error_code(errc e) noexcept;

}  // namespace vmterm::redis

template <>
struct std::is_error_code_enum<vmterm::redis::errc> : std::true_type {};
