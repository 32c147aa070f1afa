#pragma once
/// The stream under the terminal's Beast WebSocket that does permessage-deflate (RFC 7692)
/// for it (internal to lib/term). Beast 1.81's own deflate keeps ~13 KiB of zlib state in every
/// connection that agreed to it, for the connection's life; this layer keeps one only while
/// output flows: decompression uses the thread's shared zlib state (the client is asked for no
/// context takeover), compression the connection's own window (context takeover, unless the
/// client asked for none), which the connection frees when its output goes quiet
/// (release_window) and makes again for the next burst (permessage_deflate.hpp).
///
/// Beast runs with its own deflate off and sees plain frames:
/// - reading, a compressed message's frames (RSV1 on its first) are taken out of the byte
///   stream, inflated, and handed on as one masked frame (mask key 0) of the whole message;
///   every other frame passes through untouched, read straight into Beast's buffer. A message
///   that is not valid deflate becomes a text frame that is not UTF-8, which Beast closes with
///   1007; one that inflates past the limit becomes a frame one byte over it (the connection's
///   size check closes with 1009) and the rest of it is dropped.
/// - writing, a whole unfragmented text or binary frame of `threshold` bytes or more is sent
///   compressed (RSV1 set) when that makes it smaller; everything else passes through.
/// Off (the default), both directions go straight to the next layer.
///
/// Threading: as the next layer's (one read and one write at a time, on one strand).

#include <algorithm>
#include <array>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "term/detail/permessage_deflate.hpp"

namespace vmterm::term {

namespace pmd::frame {

inline constexpr std::uint8_t fin = 0x80;
inline constexpr std::uint8_t rsv1 = 0x40;
inline constexpr std::uint8_t opcode_mask = 0x0f;
inline constexpr std::uint8_t continuation = 0;
inline constexpr std::uint8_t text = 1;
inline constexpr std::uint8_t binary = 2;

/// The header's length from its first `have` bytes (2 until the second byte is there).
inline std::size_t header_length(const std::uint8_t* h, std::size_t have) {
  if (have < 2) return 2;
  const std::uint8_t len = h[1] & 0x7f;
  const std::size_t mask = (h[1] & 0x80) ? 4 : 0;
  return 2 + (len == 126 ? 2 : len == 127 ? 8 : 0) + mask;
}

/// The payload length of a whole header.
inline std::uint64_t payload_length(const std::uint8_t* h) {
  const std::uint8_t len = h[1] & 0x7f;
  if (len < 126) return len;
  const int n = len == 126 ? 2 : 8;
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | h[2 + i];
  return v;
}

/// The longest unmasked header (a 64-bit length).
inline constexpr std::size_t max_unmasked_header = 10;

/// An unmasked header for `size` bytes, first byte `b0`, written to end at `end`: its length.
inline std::size_t header_before(char* end, std::uint8_t b0, std::uint64_t size) {
  const std::size_t ext = size < 126 ? 0 : size <= 0xffff ? 2 : 8;
  char* h = end - 2 - ext;
  h[0] = static_cast<char>(b0);
  h[1] = static_cast<char>(ext == 0 ? size : ext == 2 ? 126 : 127);
  for (std::size_t i = 0; i < ext; ++i) {
    h[2 + i] = static_cast<char>((size >> (8 * (ext - 1 - i))) & 0xff);
  }
  return 2 + ext;
}

/// A header for `size` bytes: first byte `b0`, masked with key 0 when `masked`.
inline std::string header(std::uint8_t b0, std::uint64_t size, bool masked) {
  std::array<char, max_unmasked_header> buf{};
  const std::size_t n = header_before(buf.data() + buf.size(), b0, size);
  std::string h(buf.data() + buf.size() - n, n);
  if (masked) {
    h[1] = static_cast<char>(h[1] | 0x80);
    h.append(4, '\0');
  }
  return h;
}

}  // namespace pmd::frame

template <class NextLayer>
class deflate_layer {
  using error_code = boost::beast::error_code;
  using io_handler = boost::asio::any_completion_handler<void(error_code, std::size_t)>;

 public:
  using executor_type = typename NextLayer::executor_type;
  using next_layer_type = NextLayer;

  explicit deflate_layer(NextLayer&& next) : next_(std::move(next)) {}

  /// Turns the layer on after a handshake that agreed to permessage-deflate: messages from
  /// the client up to `limit` bytes, frames to it compressed from `threshold` bytes.
  /// With `context_takeover`, frames to the client are compressed with the connection's own
  /// window (pmd::deflater) until release_window(); without, each alone.
  void enable(int window_bits, std::size_t limit, std::size_t threshold,
              bool context_takeover = false) {
    on_ = true;
    window_bits_ = window_bits;
    limit_ = limit;
    threshold_ = threshold;
    takeover_ = context_takeover;
  }
  [[nodiscard]] bool enabled() const noexcept { return on_; }
  /// Whether the connection holds a compression window (zlib state) or the compressed frames'
  /// storage now.
  [[nodiscard]] bool holds_window() const noexcept {
    return deflater_.holds_state() || out_.holds_memory();
  }
  /// Frees the compression window and the frames' storage (the output went quiet): the next
  /// frame starts afresh.
  void release_window() noexcept {
    deflater_.release();
    out_.release();
  }

  executor_type get_executor() noexcept { return next_.get_executor(); }
  NextLayer& next_layer() noexcept { return next_; }
  const NextLayer& next_layer() const noexcept { return next_; }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& b) {
          if (!on_) return next_.async_read_some(b, std::move(handler));
          boost::asio::mutable_buffer first;
          for (auto it = boost::asio::buffer_sequence_begin(b);
               it != boost::asio::buffer_sequence_end(b); ++it) {
            if (boost::asio::mutable_buffer(*it).size() > 0) {
              first = *it;
              break;
            }
          }
          start_read(first, io_handler(std::move(handler)));
        },
        token, buffers);
  }

  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    return boost::asio::async_initiate<Token, void(error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& b) {
          if (!on_) return next_.async_write_some(b, std::move(handler));
          w_count_ = 0;
          for (auto it = boost::asio::buffer_sequence_begin(b);
               it != boost::asio::buffer_sequence_end(b) && w_count_ < w_bufs_.size(); ++it) {
            const boost::asio::const_buffer piece(*it);
            if (piece.size() > 0) w_bufs_[w_count_++] = piece;
          }
          start_write(io_handler(std::move(handler)));
        },
        token, buffers);
  }

 private:
  /// Whether a frame whose first byte is `b0` is (part of) a compressed message.
  [[nodiscard]] bool captures(std::uint8_t b0) const noexcept {
    const std::uint8_t op = b0 & pmd::frame::opcode_mask;
    if (op == pmd::frame::continuation) return in_compressed_;
    return (op == pmd::frame::text || op == pmd::frame::binary) && (b0 & pmd::frame::rsv1) &&
           !in_compressed_ && !in_plain_;
  }

  /// How many of `n` bytes pass through to Beast before a compressed frame starts.
  std::size_t scan(const std::uint8_t* p, std::size_t n) noexcept {
    std::size_t i = 0;
    while (i < n) {
      if (pass_left_ > 0) {
        const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(pass_left_, n - i));
        i += take;
        pass_left_ -= take;
        continue;
      }
      if (hdr_have_ == 0 && captures(p[i])) return i;
      hdr_[hdr_have_++] = p[i++];
      if (hdr_have_ >= 2 && hdr_have_ == pmd::frame::header_length(hdr_.data(), hdr_have_)) {
        pass_left_ = pmd::frame::payload_length(hdr_.data());
        const std::uint8_t op = hdr_[0] & pmd::frame::opcode_mask;
        if (op < 8) in_plain_ = !(hdr_[0] & pmd::frame::fin);  // a data frame
        hdr_have_ = 0;
      }
    }
    return n;
  }

  /// Takes whole compressed frames from the front of raw_ (false: more bytes are needed).
  bool take_compressed_frame() {
    const auto* p = reinterpret_cast<const std::uint8_t*>(raw_.data());
    const std::size_t hlen = pmd::frame::header_length(p, raw_.size());
    if (raw_.size() < hlen) return false;
    const std::uint64_t len = pmd::frame::payload_length(p);
    const std::uint8_t b0 = p[0];
    // The message starts (in_compressed_) only once its first frame is taken whole.
    const auto start_message = [&] {
      if (!in_compressed_) {
        in_compressed_ = true;
        opcode_ = b0 & pmd::frame::opcode_mask;
      }
    };
    // Past the limit (with room for deflate's overhead on data that does not compress).
    if (dropping_ || msg_.size() + len > limit_ + limit_ / 8 + 1024) {
      if (!dropping_) {
        dropping_ = true;
        msg_ = std::string();
        ready_ = pmd::frame::header(pmd::frame::fin | pmd::frame::binary, limit_ + 1, true);
        ready_.append(limit_ + 1, '\0');
      }
      start_message();
      skip_left_ = hlen + len;
      if (b0 & pmd::frame::fin) in_compressed_ = dropping_ = false;
      return true;
    }
    if (raw_.size() - hlen < len) {
      want_ = hlen + static_cast<std::size_t>(len);
      return false;
    }
    start_message();
    const std::size_t old = msg_.size();
    msg_.append(raw_, hlen, static_cast<std::size_t>(len));
    if (p[1] & 0x80) {
      const std::uint8_t* key = p + hlen - 4;
      for (std::size_t i = 0; i < len; ++i)
        msg_[old + i] = static_cast<char>(msg_[old + i] ^ key[i % 4]);
    }
    raw_.erase(0, hlen + static_cast<std::size_t>(len));
    want_ = 0;
    if (!(b0 & pmd::frame::fin)) return true;
    in_compressed_ = false;
    std::string payload;
    const auto r = pmd::inflate_message(msg_, limit_, payload);
    msg_ = std::string();
    if (r == pmd::inflate_result::bad) {
      // Not UTF-8: Beast closes with 1007 (invalid frame payload data).
      ready_ = pmd::frame::header(pmd::frame::fin | pmd::frame::text, 1, true) + "\xff";
      return true;
    }
    ready_ = pmd::frame::header(pmd::frame::fin | opcode_, payload.size(), true);
    ready_ += payload;
    return true;
  }

  /// Copies what is ready for Beast into `out`: 0 when more input is needed.
  std::size_t produce(boost::asio::mutable_buffer out) {
    for (;;) {
      if (ready_pos_ < ready_.size()) {
        const std::size_t n = std::min(out.size(), ready_.size() - ready_pos_);
        std::memcpy(out.data(), ready_.data() + ready_pos_, n);
        ready_pos_ += n;
        if (ready_pos_ == ready_.size()) {
          ready_ = std::string();
          ready_pos_ = 0;
        }
        return n;
      }
      if (raw_.empty()) return 0;
      if (skip_left_ > 0) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(skip_left_, raw_.size()));
        raw_.erase(0, n);
        skip_left_ -= n;
        continue;
      }
      const auto* p = reinterpret_cast<const std::uint8_t*>(raw_.data());
      if (pass_left_ == 0 && hdr_have_ == 0 && captures(p[0])) {
        if (!take_compressed_frame()) return 0;
        continue;
      }
      const std::size_t n = scan(p, std::min(raw_.size(), out.size()));
      std::memcpy(out.data(), raw_.data(), n);
      raw_.erase(0, n);
      if (raw_.empty()) raw_ = std::string();
      return n;
    }
  }

  /// Where the next read from the next layer goes when raw_ must grow.
  boost::asio::mutable_buffer raw_room() {
    raw_used_ = raw_.size();
    const std::size_t room =
        std::clamp<std::size_t>(want_ > raw_used_ ? want_ - raw_used_ : 0, 1536, 64 << 10);
    raw_.resize(raw_used_ + room);
    return boost::asio::buffer(raw_.data() + raw_used_, room);
  }

  /// Completes a read or write of ours on the handler's executor.
  void complete(io_handler h, error_code ec, std::size_t n) {
    auto ex = boost::asio::get_associated_executor(h, next_.get_executor());
    boost::asio::dispatch(ex, [h = std::move(h), ec, n]() mutable { std::move(h)(ec, n); });
  }

  void start_read(boost::asio::mutable_buffer out, io_handler h) {
    read_out_ = out;
    if (out.size() == 0 || ready_pos_ < ready_.size() || !raw_.empty()) {
      // Never complete inside the initiating call.
      boost::asio::post(next_.get_executor(),
                        [this, h = std::move(h)]() mutable { continue_read(std::move(h)); });
      return;
    }
    read_next(std::move(h));
  }

  void continue_read(io_handler h) {
    if (read_out_.size() == 0) return complete(std::move(h), {}, 0);
    if (const std::size_t k = produce(read_out_); k > 0) return complete(std::move(h), {}, k);
    read_next(std::move(h));
  }

  /// Reads from the next layer: straight into Beast's buffer between compressed frames.
  void read_next(io_handler h) {
    if (raw_.empty() && skip_left_ == 0) {
      next_.async_read_some(read_out_,
                            [this, h = std::move(h)](error_code ec, std::size_t n) mutable {
                              if (ec) return complete(std::move(h), ec, n);
                              const auto* p = static_cast<const std::uint8_t*>(read_out_.data());
                              const std::size_t pass = scan(p, n);
                              raw_.append(reinterpret_cast<const char*>(p) + pass, n - pass);
                              if (pass > 0) return complete(std::move(h), {}, pass);
                              continue_read(std::move(h));
                            });
      return;
    }
    next_.async_read_some(raw_room(),
                          [this, h = std::move(h)](error_code ec, std::size_t n) mutable {
                            raw_.resize(raw_used_ + (ec ? 0 : n));
                            if (ec) return complete(std::move(h), ec, 0);
                            continue_read(std::move(h));
                          });
  }

  void start_write(io_handler h) {
    std::size_t size = 0;
    for (std::size_t i = 0; i < w_count_; ++i) size += w_bufs_[i].size();
    const std::span<const boost::asio::const_buffer> bufs(w_bufs_.data(), w_count_);
    if (w_left_ == 0 && size >= 2) {
      std::array<std::uint8_t, 14> hdr{};
      boost::asio::buffer_copy(boost::asio::buffer(hdr), bufs);
      const std::size_t hlen =
          pmd::frame::header_length(hdr.data(), std::min<std::size_t>(size, hdr.size()));
      if (size >= hlen) {
        const std::uint64_t len = pmd::frame::payload_length(hdr.data());
        w_left_ = hlen + len;
        if (const auto frame = try_compress(hdr, hlen, len, size); frame.size() > 0) {
          w_left_ = 0;
          const std::size_t consumed = hlen + static_cast<std::size_t>(len);
          // out_ is kept for the next frame; the connection frees it when output goes quiet.
          boost::asio::async_write(
              next_, frame, [this, consumed, h = std::move(h)](error_code ec, std::size_t) mutable {
                complete(std::move(h), ec, ec ? 0 : consumed);
              });
          return;
        }
      }
    }
    // Passes through what is left of the frame (or everything, if it could not be parsed).
    std::size_t part =
        w_left_ == 0 ? size : static_cast<std::size_t>(std::min<std::uint64_t>(w_left_, size));
    std::size_t count = 0;
    for (; count < w_count_ && part > 0; ++count) {
      if (w_bufs_[count].size() > part) w_bufs_[count] = boost::asio::buffer(w_bufs_[count], part);
      part -= w_bufs_[count].size();
    }
    w_count_ = count;
    next_.async_write_some(std::span<const boost::asio::const_buffer>(w_bufs_.data(), w_count_),
                           [this, h = std::move(h)](error_code ec, std::size_t n) mutable {
                             w_left_ -= std::min<std::uint64_t>(w_left_, n);
                             complete(std::move(h), ec, n);
                           });
  }

  /// A whole text or binary frame worth compressing: its compressed frame, in out_ (empty:
  /// sent as it is).
  boost::asio::const_buffer try_compress(const std::array<std::uint8_t, 14>& h, std::size_t hlen,
                                         std::uint64_t len, std::size_t size) {
    const std::uint8_t op = h[0] & pmd::frame::opcode_mask;
    if ((h[0] & 0x70) || !(h[0] & pmd::frame::fin) || (h[1] & 0x80) ||
        (op != pmd::frame::text && op != pmd::frame::binary) || len < threshold_ ||
        size < hlen + len) {
      return {};
    }
    std::array<std::string_view, std::tuple_size_v<decltype(w_bufs_)>> pieces;
    std::size_t count = 0;
    std::size_t skip = hlen;
    auto want = static_cast<std::size_t>(len);
    for (std::size_t i = 0; i < w_count_ && want > 0; ++i) {
      const auto* p = static_cast<const char*>(w_bufs_[i].data());
      std::size_t n = w_bufs_[i].size();
      const std::size_t drop = std::min(skip, n);
      skip -= drop;
      n = std::min(n - drop, want);
      if (n > 0) pieces[count++] = std::string_view(p + drop, n);
      want -= n;
    }
    // Compressed straight into out_, behind room for the header, which goes just before it.
    constexpr std::size_t front = pmd::frame::max_unmasked_header;
    const std::span<const std::string_view> in(pieces.data(), count);
    const std::size_t n = takeover_ ? deflater_.compress(in, window_bits_, out_, front)
                                    : pmd::deflate_message(in, window_bits_, out_, front);
    if (n == 0) return {};
    char* payload = out_.data() + front;
    const std::size_t header =
        pmd::frame::header_before(payload, static_cast<std::uint8_t>(h[0] | pmd::frame::rsv1), n);
    return boost::asio::buffer(payload - header, header + n);
  }

  NextLayer next_;
  bool on_ = false;
  int window_bits_ = pmd::default_window_bits;
  std::size_t limit_ = 0;
  std::size_t threshold_ = 0;
  bool takeover_ = false;
  pmd::deflater deflater_;  ///< with takeover_: the window, while output flows
  // reading
  std::string raw_;    ///< read but not yet handed on (only around compressed frames)
  std::string msg_;    ///< the compressed message so far, unmasked
  std::string ready_;  ///< an inflated message as one frame, being handed on
  std::size_t ready_pos_ = 0;
  std::size_t raw_used_ = 0;
  std::size_t want_ = 0;         ///< the size of the compressed frame at raw_'s front, once known
  std::uint64_t pass_left_ = 0;  ///< bytes of the frame passing through still to come
  std::uint64_t skip_left_ = 0;  ///< bytes of a message over the limit still to drop
  std::array<std::uint8_t, 14> hdr_{};
  std::size_t hdr_have_ = 0;
  bool in_compressed_ = false;
  bool in_plain_ = false;  ///< an uncompressed message's frames are passing through
  bool dropping_ = false;
  std::uint8_t opcode_ = 0;
  boost::asio::mutable_buffer read_out_;  ///< the read in progress's buffer (Beast's)
  // writing
  std::array<boost::asio::const_buffer, 8> w_bufs_{};  ///< the write in progress's buffers
  std::size_t w_count_ = 0;
  std::uint64_t w_left_ = 0;  ///< bytes of the frame passing through still to write
  pmd::out_buffer out_;       ///< compressed frames' storage, kept until release_window()
};

/// The WebSocket's teardown goes straight to the next layer.
template <class NextLayer, class Handler>
void async_teardown(boost::beast::role_type role, deflate_layer<NextLayer>& s, Handler&& handler) {
  using boost::beast::websocket::async_teardown;
  async_teardown(role, s.next_layer(), std::forward<Handler>(handler));
}

template <class NextLayer>
void teardown(boost::beast::role_type role, deflate_layer<NextLayer>& s,
              boost::beast::error_code& ec) {
  using boost::beast::websocket::teardown;
  teardown(role, s.next_layer(), ec);
}

}  // namespace vmterm::term
