#pragma once
/// The terminal WebSocket protocol, pure (no I/O). Binary frames carry terminal bytes both
/// ways; text frames carry one JSON control message each, with a "type":
///
///   client → server
///     {"type":"resize","cols":120,"rows":40}      terminal size in cells (1..1000 each)
///     {"type":"ack","bytes":N}                    total output bytes written by the terminal
///     {"type":"pause"} / {"type":"resume"}         stop / restart output (e.g. hidden tab)
///     {"type":"end"}                               end the session now: hang up the shell
///                                                  (the page's "new session")
///   server → client
///     {"type":"hello","session":"ID","resume_grace_ms":N,"offset":N,"start":N,"readonly":B}
///                                                  session id to resume with; offset = byte
///                                                  count the output stream starts at; start =
///                                                  the oldest byte the server still holds (a
///                                                  page may resume from there: see below);
///                                                  readonly: input is dropped (--readonly)
///     {"type":"exit","code":N}                     the shell ended with this status
///     {"type":"error","message":"..."}             the backend failed; words for people
///
/// A client resumes a dropped session by opening /ws/terminal/?session=ID&offset=N, where N is
/// the output byte count it has; the server replays exactly the bytes after N. A page reloaded
/// with an empty screen adds `&replay=held`: the stream then starts at the oldest byte still
/// held (hello's "offset" says which), so the screen shows what the buffer has kept.

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "core/error.hpp"

namespace vmterm::term {

struct resize_message {
  std::uint16_t cols = 0;
  std::uint16_t rows = 0;
  friend bool operator==(const resize_message&, const resize_message&) = default;
};

struct ack_message {
  std::uint64_t bytes = 0;
  friend bool operator==(const ack_message&, const ack_message&) = default;
};

struct pause_message {
  friend bool operator==(const pause_message&, const pause_message&) = default;
};

struct resume_message {
  friend bool operator==(const resume_message&, const resume_message&) = default;
};

struct end_message {
  friend bool operator==(const end_message&, const end_message&) = default;
};

using client_message =
    std::variant<resize_message, ack_message, pause_message, resume_message, end_message>;

/// Largest terminal the server accepts, in cells per side.
inline constexpr std::uint16_t max_cells = 1000;
/// Largest control message accepted, in bytes (a resize is about 40).
inline constexpr std::size_t max_control_size = 1024;

/// Decodes one text frame from the client. Errors name what was wrong, for an "error" reply:
/// "control message: 'cols' must be a whole number from 1 to 1000".
[[nodiscard]] expected<client_message> parse_client_message(std::string_view text);

/// `start`: the oldest output byte held (the replay buffer's first offset).
[[nodiscard]] std::string encode_hello(std::string_view session_id, std::uint64_t resume_grace_ms,
                                       std::uint64_t offset, bool readonly = false,
                                       std::uint64_t start = 0);
[[nodiscard]] std::string encode_exit(int code);
[[nodiscard]] std::string encode_error(std::string_view message);

}  // namespace vmterm::term
