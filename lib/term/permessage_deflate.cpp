#include "term/detail/permessage_deflate.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <memory>

#include "core/parse.hpp"
#include "http/message.hpp"

namespace vmterm::term::pmd {
namespace {

constexpr int compress_level = 1;  // fastest: terminal output compresses well anyway
constexpr int compress_mem_level = 5;
constexpr int min_window_bits = 9;  // zlib cannot write a raw stream for a 256-byte window
constexpr int max_window_bits = 15;

using http::iequals;
using parse::trim;

/// A window-bits value (8..15), quoted or not; none when it is not one.
std::optional<int> window_bits(std::string_view v) {
  v = trim(v);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  int bits = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), bits);
  if (ec != std::errc{} || end != v.data() + v.size() || v.empty() || bits < 8 ||
      bits > max_window_bits) {
    return std::nullopt;
  }
  return bits;
}

/// One offer ("permessage-deflate; a; b=1"): the agreement, or none when it is declined.
std::optional<agreement> accept_offer(std::string_view offer) {
  auto next_part = [&offer]() {
    const auto semi = offer.find(';');
    const std::string_view part = trim(offer.substr(0, semi));
    offer = semi == std::string_view::npos ? std::string_view{} : offer.substr(semi + 1);
    return part;
  };
  if (!iequals(next_part(), "permessage-deflate")) return std::nullopt;
  bool seen_snct = false, seen_cnct = false, seen_smwb = false, seen_cmwb = false;
  std::optional<int> server_max;
  while (!offer.empty()) {
    const std::string_view param = next_part();
    const auto eq = param.find('=');
    const std::string_view name = trim(param.substr(0, eq));
    const bool has_value = eq != std::string_view::npos;
    const std::string_view value = has_value ? param.substr(eq + 1) : std::string_view{};
    if (iequals(name, "server_no_context_takeover") && !has_value && !seen_snct) {
      seen_snct = true;
    } else if (iequals(name, "client_no_context_takeover") && !has_value && !seen_cnct) {
      seen_cnct = true;
    } else if (iequals(name, "server_max_window_bits") && has_value && !seen_smwb) {
      seen_smwb = true;
      server_max = window_bits(value);
      if (!server_max || *server_max < min_window_bits) return std::nullopt;
    } else if (iequals(name, "client_max_window_bits") && !seen_cmwb &&
               (!has_value || window_bits(value))) {
      seen_cmwb = true;  // any client window: the server inflates with 32 KiB
    } else {
      return std::nullopt;
    }
  }
  agreement a;
  // The server keeps its window from message to message unless the client asked it not to
  // (RFC 7692 7.1.1.1: it may then drop that window whenever it likes: a message that starts
  // a new stream needs nothing the client's decompressor does not have). The client is always
  // asked for no context takeover (7.1.1.2): the server inflates with the thread's state.
  a.server_context_takeover = !seen_snct;
  a.response = seen_snct
                   ? "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
                   : "permessage-deflate; client_no_context_takeover";
  if (server_max) {
    a.server_window_bits = std::min(*server_max, default_window_bits);
    a.response += "; server_max_window_bits=" + std::to_string(*server_max);
  }
  return a;
}

/// This thread's compressors (one per window size, made on first use) and decompressor.
struct zlib_states {
  std::array<std::unique_ptr<z_stream>, max_window_bits + 1> deflaters{};
  std::unique_ptr<z_stream> inflater;

  zlib_states() = default;
  zlib_states(const zlib_states&) = delete;
  zlib_states& operator=(const zlib_states&) = delete;
  ~zlib_states() {
    for (auto& d : deflaters) {
      if (d) deflateEnd(d.get());
    }
    if (inflater) inflateEnd(inflater.get());
  }

  z_stream* deflater(int bits) {
    auto& d = deflaters.at(static_cast<std::size_t>(bits));
    if (d) {
      deflateReset(d.get());
      return d.get();
    }
    auto z = std::make_unique<z_stream>();
    if (deflateInit2(z.get(), compress_level, Z_DEFLATED, -bits, compress_mem_level,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
      return nullptr;
    }
    d = std::move(z);
    return d.get();
  }

  z_stream* inflater_reset() {
    if (inflater) {
      inflateReset(inflater.get());
      return inflater.get();
    }
    auto z = std::make_unique<z_stream>();
    if (inflateInit2(z.get(), -max_window_bits) != Z_OK) return nullptr;
    inflater = std::move(z);
    return inflater.get();
  }
};

zlib_states& states() {
  thread_local zlib_states s;
  return s;
}

Bytef* bytes(const char* p) {
  // zlib's next_in is not const; it never writes through it.
  return reinterpret_cast<Bytef*>(const_cast<char*>(p));  // NOLINT
}

}  // namespace

std::optional<agreement> negotiate(std::string_view offers) {
  while (!offers.empty()) {
    const auto comma = offers.find(',');
    if (auto a = accept_offer(offers.substr(0, comma))) return a;
    if (comma == std::string_view::npos) break;
    offers.remove_prefix(comma + 1);
  }
  return std::nullopt;
}

namespace {

/// One message through `z` (its window as it is), into `out` after `front`; see
/// deflate_message.
std::size_t compress(z_stream* z, std::span<const std::string_view> pieces, out_buffer& out,
                     std::size_t front) {
  std::size_t total = 0;
  for (auto p : pieces) total += p.size();
  // deflateBound covers a finished stream; a sync flush adds at most its 5-byte empty block.
  const std::size_t room = deflateBound(z, static_cast<uLong>(total)) + 16;
  char* buf = out.room(front, room);
  z->next_out = reinterpret_cast<Bytef*>(buf);
  z->avail_out = static_cast<uInt>(room);
  for (auto p : pieces) {
    z->next_in = bytes(p.data());
    z->avail_in = static_cast<uInt>(p.size());
    while (z->avail_in > 0) {
      if (deflate(z, Z_NO_FLUSH) != Z_OK || z->avail_out == 0) return 0;
    }
  }
  if (deflate(z, Z_SYNC_FLUSH) != Z_OK || z->avail_out == 0) return 0;
  const std::size_t size = room - z->avail_out;
  if (size < 4 || size - 4 >= total) return 0;
  return size - 4;  // without the 00 00 ff ff the receiver adds back
}

bool to_string(std::size_t size, out_buffer& buf, std::string& out) {
  if (size == 0) return false;
  out.assign(buf.data(), size);
  return true;
}

}  // namespace

std::size_t deflate_message(std::span<const std::string_view> pieces, int window_bits,
                            out_buffer& out, std::size_t front) {
  window_bits = std::clamp(window_bits, min_window_bits, max_window_bits);
  z_stream* z = states().deflater(window_bits);
  return z != nullptr ? compress(z, pieces, out, front) : 0;
}

bool deflate_message(const std::vector<std::string_view>& pieces, int window_bits,
                     std::string& out) {
  out_buffer buf;
  return to_string(deflate_message(pieces, window_bits, buf, 0), buf, out);
}

void deflater::free_state::operator()(z_stream_s* z) const noexcept {
  deflateEnd(z);
  delete z;  // NOLINT(cppcoreguidelines-owning-memory): made by new in compress()
}

bool deflater::compress(const std::vector<std::string_view>& pieces, int window_bits,
                        std::string& out) {
  out_buffer buf;
  return to_string(compress(pieces, window_bits, buf, 0), buf, out);
}

std::size_t deflater::compress(std::span<const std::string_view> pieces, int window_bits,
                               out_buffer& out, std::size_t front) {
  if (!z_) {
    auto z = std::make_unique<z_stream>();
    if (deflateInit2(z.get(), compress_level, Z_DEFLATED,
                     -std::clamp(window_bits, min_window_bits, max_window_bits), compress_mem_level,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
      return 0;
    }
    z_.reset(z.release());
  }
  if (const std::size_t n = pmd::compress(z_.get(), pieces, out, front); n > 0) return n;
  // The window now holds bytes the client will not see compressed: start afresh next time.
  z_.reset();
  return 0;
}

inflate_result inflate_message(std::string_view in, std::size_t limit, std::string& out) {
  z_stream* z = states().inflater_reset();
  out.clear();
  if (!z) return inflate_result::bad;
  static constexpr char tail[4] = {'\x00', '\x00', '\xff', '\xff'};
  const std::array<std::string_view, 2> parts{in, std::string_view(tail, sizeof tail)};
  std::size_t size = 0;
  for (auto part : parts) {
    z->next_in = bytes(part.data());
    z->avail_in = static_cast<uInt>(part.size());
    for (;;) {
      if (size == out.size()) {
        if (size > limit) return inflate_result::too_big;
        out.resize(std::min(limit + 1, std::max<std::size_t>(1024, 2 * size)));
      }
      z->next_out = reinterpret_cast<Bytef*>(out.data() + size);
      z->avail_out = static_cast<uInt>(out.size() - size);
      const int rc = inflate(z, Z_SYNC_FLUSH);
      size = out.size() - z->avail_out;
      if (rc == Z_STREAM_END) {  // a final block: what follows it is ignored
        out.resize(size);
        return size > limit ? inflate_result::too_big : inflate_result::ok;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) return inflate_result::bad;
      if (z->avail_out > 0) break;  // all of this part's input used
    }
  }
  out.resize(size);
  return size > limit ? inflate_result::too_big : inflate_result::ok;
}

}  // namespace vmterm::term::pmd
