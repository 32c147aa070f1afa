#pragma once
/// UTF-8 validation for writers that must emit valid UTF-8 (JSON logs, OTLP JSON, Prometheus
/// text): they copy valid sequences and replace each invalid byte with U+FFFD.

#include <cstddef>
#include <string_view>

namespace vmterm::utf8 {

/// U+FFFD REPLACEMENT CHARACTER, encoded.
inline constexpr std::string_view replacement = "\xEF\xBF\xBD";

/// Length (1-4) of the valid UTF-8 sequence starting at s[i], or 0 when the bytes there are
/// not valid UTF-8 (stray continuation, truncated, overlong, surrogate or above U+10FFFF).
/// Requires i < s.size().
[[nodiscard]] inline std::size_t sequence_length(std::string_view s, std::size_t i) noexcept {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const auto cont = [&](std::size_t k) { return k < s.size() && (b(k) & 0xC0) == 0x80; };
  const unsigned c = b(i);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    if (c == 0xE0 && b(i + 1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(i + 1) >= 0xA0) return 0;  // surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (c == 0xF0 && b(i + 1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(i + 1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace vmterm::utf8
