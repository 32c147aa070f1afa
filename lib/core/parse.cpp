#include "core/parse.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

namespace vmterm::parse {
namespace {

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

expected<std::uint64_t> size(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, unsigned>, 8> units{
      {{"", 0}, {"B", 0}, {"K", 10}, {"KiB", 10}, {"M", 20}, {"MiB", 20}, {"G", 30}, {"GiB", 30}}};
  const auto digits = std::find_if(text.begin(), text.end(), [](char c) {
    return !std::isdigit(static_cast<unsigned char>(c));
  });
  const auto count_text = text.substr(0, static_cast<std::size_t>(digits - text.begin()));
  const auto unit = text.substr(count_text.size());
  for (const auto& [name, shift] : units) {
    if (unit != name || count_text.empty()) continue;
    auto n = integer(count_text, 0, std::int64_t{1} << 40);
    if (!n || static_cast<std::uint64_t>(*n) > (std::uint64_t{1} << (50 - shift))) break;
    return static_cast<std::uint64_t>(*n) << shift;
  }
  return fail(std::errc::invalid_argument,
              quoted(text) +
                  " is not a size; use a whole number of bytes or KiB/MiB such as 65536 or "
                  "64KiB");
}

std::string size_text(std::uint64_t bytes) {
  static constexpr std::array<std::pair<std::string_view, unsigned>, 3> units{
      {{"GiB", 30}, {"MiB", 20}, {"KiB", 10}}};
  for (const auto& [name, shift] : units) {
    const auto scale = std::uint64_t{1} << shift;
    if (bytes != 0 && bytes % scale == 0) return std::to_string(bytes / scale) + std::string(name);
  }
  return std::to_string(bytes);
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int hi = hex_value(text[i + 1]);
    const int lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>((hi << 4) | lo));
    i += 2;
  }
  return out;
}

std::string_view trim(std::string_view text) noexcept {
  constexpr std::string_view space = " \t\r\n\f\v";
  const auto first = text.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(space);
  return text.substr(first, last - first + 1);
}

expected<bool> boolean(std::string_view text) {
  const std::string v = lower(trim(text));
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  return fail(std::errc::invalid_argument, quoted(text) + " is not a boolean; use true or false");
}

expected<std::int64_t> integer(std::string_view text, std::int64_t min, std::int64_t max) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec == std::errc::invalid_argument || ptr != end) {
    return fail(std::errc::invalid_argument, quoted(text) + " is not a whole number");
  }
  if (ec == std::errc::result_out_of_range || value < min || value > max) {
    return fail(std::errc::result_out_of_range,
                quoted(text) + " is out of range; use a number from " + std::to_string(min) +
                    " to " + std::to_string(max));
  }
  return value;
}

expected<double> number(std::string_view text) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end || !std::isfinite(value)) {
    return fail(std::errc::invalid_argument, quoted(text) + " is not a number");
  }
  return value;
}

expected<std::chrono::nanoseconds> duration(std::string_view text,
                                            std::chrono::nanoseconds bare_unit) {
  using namespace std::chrono;
  static constexpr std::array<std::pair<std::string_view, nanoseconds>, 8> units{{
      {"ns", nanoseconds(1)},
      {"us", microseconds(1)},
      {"ms", milliseconds(1)},
      {"s", seconds(1)},
      {"m", minutes(1)},
      {"h", hours(1)},
      {"d", hours(24)},
      {"", nanoseconds(0)},  // bare number: bare_unit
  }};
  const auto digits_end = std::find_if(text.begin(), text.end(), [](char c) {
    return !std::isdigit(static_cast<unsigned char>(c));
  });
  const auto count_text = text.substr(0, static_cast<std::size_t>(digits_end - text.begin()));
  const auto unit_text = text.substr(count_text.size());
  const auto bad = [&] {
    return fail(std::errc::invalid_argument,
                quoted(text) +
                    " is not a duration; use a whole number with a unit such as "
                    "250ms, 10s, 5m or 2h");
  };
  if (count_text.empty()) return bad();
  for (const auto& [name, unit] : units) {
    if (unit_text != name) continue;
    const nanoseconds scale = name.empty() ? bare_unit : unit;
    if (scale.count() <= 0) return bad();  // bare numbers not allowed here
    std::uint64_t count = 0;
    const auto [ptr, ec] =
        std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
    const auto limit = static_cast<std::uint64_t>(nanoseconds::max().count() / scale.count());
    if (ec != std::errc{} || count > limit) {
      return fail(std::errc::result_out_of_range, quoted(text) + " is too long a duration");
    }
    return nanoseconds(static_cast<nanoseconds::rep>(count) * scale.count());
  }
  return bad();
}

}  // namespace vmterm::parse
