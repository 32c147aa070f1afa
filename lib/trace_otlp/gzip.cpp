#include "trace_otlp/gzip.hpp"

#include <zlib.h>

namespace vmterm::trace_otlp {
namespace {

constexpr int gzip_window_bits = 15 + 16;  // 32 KiB window, gzip header
constexpr int auto_window_bits = 15 + 32;  // accept gzip or zlib headers

Bytef* input(std::string_view data) {
  return reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
}

tl::unexpected<error> zlib_error(std::string_view action, int code, const z_stream& zs) {
  return fail(std::errc::io_error, std::string(action) + ": zlib error " + std::to_string(code) +
                                       (zs.msg ? std::string(" (") + zs.msg + ")" : ""));
}

}  // namespace

expected<std::string> gzip_compress(std::string_view data) {
  z_stream zs{};
  // deflateInit2() is a macro with a C cast; this is its expansion.
  int rc = deflateInit2_(&zs, Z_BEST_SPEED, Z_DEFLATED, gzip_window_bits, 8, Z_DEFAULT_STRATEGY,
                         ZLIB_VERSION, static_cast<int>(sizeof(z_stream)));
  if (rc != Z_OK) return zlib_error("gzip", rc, zs);
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())), '\0');
  zs.next_in = input(data);
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  rc = deflate(&zs, Z_FINISH);
  const auto written = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return zlib_error("gzip", rc, zs);
  out.resize(written);
  return out;
}

expected<std::string> gzip_decompress(std::string_view data) {
  z_stream zs{};
  int rc = inflateInit2_(&zs, auto_window_bits, ZLIB_VERSION, static_cast<int>(sizeof(z_stream)));
  if (rc != Z_OK) return zlib_error("gunzip", rc, zs);
  std::string out;
  char buf[16384];
  zs.next_in = input(data);
  zs.avail_in = static_cast<uInt>(data.size());
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      auto e = zlib_error("gunzip", rc, zs);
      inflateEnd(&zs);
      return e;
    }
    out.append(buf, sizeof buf - zs.avail_out);
  } while (rc != Z_STREAM_END && (zs.avail_in > 0 || zs.avail_out == 0));
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) return fail(std::errc::io_error, "gunzip: truncated input");
  return out;
}

}  // namespace vmterm::trace_otlp
