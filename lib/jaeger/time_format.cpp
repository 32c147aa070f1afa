#include "jaeger/time_format.hpp"

#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace vmterm::jaeger {
namespace {

int decimals_for(double value) { return value >= 100 ? 0 : value >= 10 ? 1 : 2; }

/// `value` rounded to three significant digits, as text (to_chars: no locale, no allocation).
std::string fixed3(double value) {
  std::array<char, 32> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value,
                                 std::chars_format::fixed, decimals_for(value));
  if (ec != std::errc{}) return "?";
  return std::string(buf.data(), end);
}

/// Three significant digits, trailing fractional zeros removed.
std::string three_digits(std::string s) {
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

std::string two_units(std::uint64_t big, const char* big_unit, std::uint64_t small,
                      const char* small_unit) {
  std::array<char, 48> buf{};
  std::snprintf(buf.data(), buf.size(), "%llu%s%02llu%s", static_cast<unsigned long long>(big),
                big_unit, static_cast<unsigned long long>(small), small_unit);
  return buf.data();
}

}  // namespace

std::string format_duration(std::uint64_t ns) {
  if (ns == 0) return "0µs";
  if (ns < 1000) return std::to_string(ns) + "ns";
  constexpr const char* units[] = {"µs", "ms", "s"};
  double value = static_cast<double>(ns) / 1000.0;
  for (const char* unit : units) {
    // Round first, so that 999.96µs becomes `1ms`, not `1000µs`.
    std::string text = fixed3(value);
    const double shown = std::strtod(text.c_str(), nullptr);
    if (shown < 1000 && (unit[0] != 's' || shown < 60)) return three_digits(std::move(text)) + unit;
    value /= 1000.0;
  }
  const std::uint64_t seconds = (ns + 500'000'000) / 1'000'000'000;
  if (seconds < 3600) return two_units(seconds / 60, "m", seconds % 60, "s");
  const std::uint64_t minutes = (seconds + 30) / 60;
  return two_units(minutes / 60, "h", minutes % 60, "m");
}

std::string format_rfc3339(std::uint64_t unix_nano) {
  using namespace std::chrono;
  const auto since_epoch = microseconds(static_cast<std::int64_t>(unix_nano / 1000));
  const sys_days day = floor<days>(sys_time<microseconds>(since_epoch));
  const year_month_day ymd(day);
  const hh_mm_ss<microseconds> tod(sys_time<microseconds>(since_epoch) - day);
  std::array<char, 48> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02u-%02uT%02d:%02d:%02d.%06lldZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(tod.hours().count()),
                static_cast<int>(tod.minutes().count()), static_cast<int>(tod.seconds().count()),
                static_cast<long long>(tod.subseconds().count()));
  return buf.data();
}

}  // namespace vmterm::jaeger
