#pragma once
/// Applying span limits to attribute lists: truncation of long values and the count limit.
/// Pure helpers used by span and resource code.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "trace/span_data.hpp"

namespace vmterm::trace {

/// Cuts `s` to at most `max_bytes`, backing off to a UTF-8 character boundary.
void truncate_utf8(std::string& s, std::size_t max_bytes) noexcept;

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
