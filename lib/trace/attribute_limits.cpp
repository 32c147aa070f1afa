#include "trace/attribute_limits.hpp"

#include <limits>
#include <variant>

namespace vmterm::trace {

void truncate_utf8(std::string& s, std::size_t max_bytes) noexcept {
  if (s.size() <= max_bytes) return;
  std::size_t cut = max_bytes;
  // Never split a multi-byte character: step back over continuation bytes (10xxxxxx).
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
}

std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) noexcept {
  if (s.size() <= max_bytes) return s;
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut);
}

void truncate_value(attribute_value& value, std::size_t max_bytes) noexcept {
  if (max_bytes == std::numeric_limits<std::size_t>::max()) return;
  if (auto* s = std::get_if<std::string>(&value)) {
    truncate_utf8(*s, max_bytes);
  } else if (auto* v = std::get_if<std::vector<std::string>>(&value)) {
    for (auto& e : *v) truncate_utf8(e, max_bytes);
  }
}

void put_attribute(attributes& attrs, std::uint32_t& dropped, std::size_t count_limit,
                   std::size_t value_length, std::string_view key,
                   attribute_value&& value) noexcept {
  truncate_value(value, value_length);
  for (auto& a : attrs) {
    if (a.key == key) {
      a.value = std::move(value);
      return;
    }
  }
  if (attrs.size() >= count_limit) {
    ++dropped;
    return;
  }
  if (attrs.capacity() == 0) attrs.reserve(std::min<std::size_t>(8, count_limit));
  attrs.push_back(attribute{std::string(key), std::move(value)});
}

void limit_attributes(attributes& attrs, std::uint32_t& dropped, std::size_t count_limit,
                      std::size_t value_length) noexcept {
  if (attrs.size() > count_limit) {
    dropped += static_cast<std::uint32_t>(attrs.size() - count_limit);
    attrs.resize(count_limit);
  }
  for (auto& a : attrs) truncate_value(a.value, value_length);
}

}  // namespace vmterm::trace
