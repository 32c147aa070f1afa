#pragma once
/// Applying span limits to attribute lists: truncation of long values and the count limit.
/// Pure helpers used by span and resource code.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "trace/span_data.hpp"

namespace vmterm::trace {

/// Cuts `s` to at most `max_bytes`, backing off to a UTF-8 character boundary.
void truncate_utf8(std::string& s, std::size_t max_bytes) noexcept;

/// Byte equality of two strings, inlined (word compares, no memcmp call): the span hot path
/// compares short keys and names before deciding whether to overwrite recycled storage.
[[nodiscard]] inline bool same_bytes(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = a.size();
  if (n != b.size()) return false;
  const char* p = a.data();
  const char* q = b.data();
  if (n >= 8) {
    std::uint64_t x = 0;
    std::uint64_t y = 0;
    for (std::size_t i = 0; i + 8 <= n; i += 8) {
      std::memcpy(&x, p + i, 8);
      std::memcpy(&y, q + i, 8);
      if (x != y) return false;
    }
    std::memcpy(&x, p + n - 8, 8);  // the tail, overlapping what was compared
    std::memcpy(&y, q + n - 8, 8);
    return x == y;
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (p[i] != q[i]) return false;
  }
  return true;
}

/// The longest prefix of `s` of at most `max_bytes` that does not split a UTF-8 character.
[[nodiscard]] std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) noexcept;

/// Truncates a string value, or each element of a string array, to `max_bytes`.
void truncate_value(attribute_value& value, std::size_t max_bytes) noexcept;

/// Sets `key` in `attrs` (replacing in place when present). A new key past `count_limit` is
/// dropped and counted in `dropped`.
void put_attribute(attributes& attrs, std::uint32_t& dropped, std::size_t count_limit,
                   std::size_t value_length, std::string_view key,
                   attribute_value&& value) noexcept;

/// Applies both limits to a whole list (events, links): keeps the first `count_limit`
/// attributes and counts the rest in `dropped`.
void limit_attributes(attributes& attrs, std::uint32_t& dropped, std::size_t count_limit,
                      std::size_t value_length) noexcept;

}  // namespace vmterm::trace
