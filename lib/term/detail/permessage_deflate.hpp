#pragma once
/// permessage-deflate (RFC 7692) for the terminal's WebSocket (internal to lib/term): the
/// negotiation and one message's compression. Client to server runs without context takeover
/// (the response asks the client for client_no_context_takeover, which RFC 7692 7.1.1.2 lets a
/// server do whatever the offer said): each thread has one decompressor, reset before every
/// message. Server to client keeps its window from message to message (a connection's
/// `deflater`) unless the client asked for server_no_context_takeover; then, and for the
/// thread's compressors, each message is compressed alone. A connection drops its deflater
/// when its output goes quiet (deflate_layer), so an idle session holds no zlib state.

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct z_stream_s;  // zlib's z_stream

namespace vmterm::term::pmd {

/// The window the server compresses with unless the client asks for a smaller one (8 KiB:
/// the thread's compressor costs ~50 KiB, shared by all its sessions).
inline constexpr int default_window_bits = 13;

struct agreement {
  int server_window_bits = default_window_bits;  ///< 9..13
  /// The client did not ask for server_no_context_takeover: messages may use earlier ones.
  bool server_context_takeover = true;
  std::string response;  ///< the Sec-WebSocket-Extensions answer
};

/// The first permessage-deflate offer in `offers` (the request's Sec-WebSocket-Extensions
/// values joined by commas) that the server can accept; none when there is none (an offer
/// with an unknown or repeated parameter, or server_max_window_bits=8, is declined).
[[nodiscard]] std::optional<agreement> negotiate(std::string_view offers);

/// Where a compressed message goes: `front` bytes kept free before it (for the frame header),
/// then the message. The storage grows without being zero-filled and is kept from message to
/// message until release() (a stream of frames allocates once).
class out_buffer {
 public:
  /// `n` writable bytes after `front` bytes; the contents are unspecified.
  char* room(std::size_t front, std::size_t n) {
    if (front + n > capacity_) {
      data_ = std::make_unique_for_overwrite<char[]>(front + n);
      capacity_ = front + n;
    }
    return data_.get() + front;
  }
  [[nodiscard]] char* data() noexcept { return data_.get(); }
  [[nodiscard]] bool holds_memory() const noexcept { return data_ != nullptr; }
  void release() noexcept {
    data_.reset();
    capacity_ = 0;
  }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t capacity_ = 0;
};

/// Compresses one message (`pieces` in order) into `out` after `front` bytes: the raw deflate
/// stream after a sync flush, without its 00 00 ff ff tail, as RFC 7692 7.2.1 sends it. Its
/// size; 0 (and `out` unspecified) when the result would not be smaller than the message.
[[nodiscard]] std::size_t deflate_message(std::span<const std::string_view> pieces, int window_bits,
                                          out_buffer& out, std::size_t front);
/// As above, into `out` (replaced); false when it would not be smaller.
[[nodiscard]] bool deflate_message(const std::vector<std::string_view>& pieces, int window_bits,
                                   std::string& out);

/// One connection's server-to-client compressor with context takeover: each message may refer
/// back to the earlier ones (a terminal's output repeats itself: `ls -lR`'s columns, prompts),
/// which is what the ratio needs. Its zlib state (~50 KiB at 13 window bits) is made by the
/// first message and freed by release(); a message compressed after release() starts a new
/// stream, which the client's decompressor reads as it reads any other block.
class deflater {
 public:
  /// As deflate_message, with the window of the messages since release(). 0 (false for the
  /// string form; `out` unspecified) when the result would not be smaller: the state is then
  /// freed (the window would hold bytes the client's decompressor never sees).
  [[nodiscard]] std::size_t compress(std::span<const std::string_view> pieces, int window_bits,
                                     out_buffer& out, std::size_t front);
  [[nodiscard]] bool compress(const std::vector<std::string_view>& pieces, int window_bits,
                              std::string& out);
  void release() noexcept { z_.reset(); }
  [[nodiscard]] bool holds_state() const noexcept { return z_ != nullptr; }

 private:
  struct free_state {
    void operator()(z_stream_s* z) const noexcept;
  };
  std::unique_ptr<z_stream_s, free_state> z_;
};

enum class inflate_result { ok, too_big, bad };

/// Decompresses one message's payload (all its frames' payloads joined) into `out` (replaced).
/// too_big: the message would exceed `limit` bytes (`out` then holds `limit` + 1 bytes);
/// bad: not a valid deflate stream.
[[nodiscard]] inflate_result inflate_message(std::string_view in, std::size_t limit,
                                             std::string& out);

}  // namespace vmterm::term::pmd
