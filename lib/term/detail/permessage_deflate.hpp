#pragma once
/// permessage-deflate (RFC 7692) for the terminal's WebSocket (internal to lib/term): the
/// negotiation and one message's compression. Both directions run without context takeover
/// (the response asks the client for client_no_context_takeover, which RFC 7692 7.1.1.2 lets a
/// server do whatever the offer said), so no session keeps a zlib state: each thread has one
/// compressor per window size and one decompressor, reset before every message.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmterm::term::pmd {

/// The window the server compresses with unless the client asks for a smaller one (8 KiB:
/// the thread's compressor costs ~50 KiB, shared by all its sessions).
inline constexpr int default_window_bits = 13;

struct agreement {
  int server_window_bits = default_window_bits;  ///< 9..13
  std::string response;                          ///< the Sec-WebSocket-Extensions answer
};

/// The first permessage-deflate offer in `offers` (the request's Sec-WebSocket-Extensions
/// values joined by commas) that the server can accept; none when there is none (an offer
/// with an unknown or repeated parameter, or server_max_window_bits=8, is declined).
[[nodiscard]] std::optional<agreement> negotiate(std::string_view offers);

/// Compresses one message (`pieces` in order) into `out` (replaced): the raw deflate stream
/// after a sync flush, without its 00 00 ff ff tail, as RFC 7692 7.2.1 sends it. False (and
/// `out` unspecified) when the result would not be smaller than the message.
[[nodiscard]] bool deflate_message(const std::vector<std::string_view>& pieces, int window_bits,
                                   std::string& out);

enum class inflate_result { ok, too_big, bad };

/// Decompresses one message's payload (all its frames' payloads joined) into `out` (replaced).
/// too_big: the message would exceed `limit` bytes (`out` then holds `limit` + 1 bytes);
/// bad: not a valid deflate stream.
[[nodiscard]] inflate_result inflate_message(std::string_view in, std::size_t limit,
                                             std::string& out);

}  // namespace vmterm::term::pmd
