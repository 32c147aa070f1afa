#include "trace/span_data.hpp"

#include "core/parse.hpp"

#include <algorithm>
#include <cstring>

namespace vmterm::trace {
namespace {

template <std::size_t N>
std::string to_hex(const std::array<std::uint8_t, N>& bytes) {
  std::string out(N * 2, '0');
  detail::write_hex(bytes, out.data());
  return out;
}

/// Fills the last hex.size()/2 bytes of `out` (leading bytes stay zero).
template <std::size_t N>
bool from_hex_into(std::string_view hex, std::array<std::uint8_t, N>& out) noexcept {
  if (hex.size() % 2 != 0 || hex.size() > 2 * N) return false;
  const std::size_t offset = N - hex.size() / 2;
  for (std::size_t i = 0; i < hex.size() / 2; ++i) {
    const int hi = parse::hex_value(hex[2 * i]);
    const int lo = parse::hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[offset + i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return true;
}

}  // namespace

// Word loads rather than a byte loop: valid() runs several times per span start.
bool trace_id::valid() const noexcept {
  std::uint64_t w[2];
  std::memcpy(w, bytes.data(), sizeof w);
  return (w[0] | w[1]) != 0;
}
std::string trace_id::hex() const { return to_hex(bytes); }
std::optional<trace_id> trace_id::from_hex(std::string_view hex) noexcept {
  if (hex.size() != 32 && hex.size() != 16) return std::nullopt;
  trace_id id;
  if (!from_hex_into(hex, id.bytes)) return std::nullopt;
  return id;
}

bool span_id::valid() const noexcept {
  std::uint64_t w = 0;
  std::memcpy(&w, bytes.data(), sizeof w);
  return w != 0;
}
std::string span_id::hex() const { return to_hex(bytes); }
std::optional<span_id> span_id::from_hex(std::string_view hex) noexcept {
  if (hex.size() != 16) return std::nullopt;
  span_id id;
  if (!from_hex_into(hex, id.bytes)) return std::nullopt;
  return id;
}

const attribute_value* find_attribute(const attributes& attrs, std::string_view key) noexcept {
  for (const auto& a : attrs) {
    if (a.key == key) return &a.value;
  }
  return nullptr;
}

std::string_view to_string(span_kind kind) noexcept {
  switch (kind) {
    case span_kind::internal:
      return "internal";
    case span_kind::server:
      return "server";
    case span_kind::client:
      return "client";
    case span_kind::producer:
      return "producer";
    case span_kind::consumer:
      return "consumer";
  }
  return "internal";
}

}  // namespace vmterm::trace
