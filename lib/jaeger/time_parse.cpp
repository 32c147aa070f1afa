#include "jaeger/time_parse.hpp"

#include <chrono>
#include <limits>
#include <optional>
#include <string>

namespace vmterm::jaeger {
namespace {

/// Reads `n` digits at `pos`, advancing it.
std::optional<int> digits(std::string_view s, std::size_t& pos, std::size_t n) {
  if (pos + n > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  pos += n;
  return v;
}

bool expect(std::string_view s, std::size_t& pos, std::string_view chars) {
  if (pos >= s.size() || chars.find(s[pos]) == std::string_view::npos) return false;
  ++pos;
  return true;
}

/// The fraction after '.', as ns; pos stays when there is none.
std::optional<std::int64_t> fraction(std::string_view s, std::size_t& pos) {
  if (pos >= s.size() || s[pos] != '.') return 0;
  ++pos;
  std::int64_t ns = 0;
  std::size_t n = 0;
  for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos, ++n) {
    if (n < 9) ns = ns * 10 + (s[pos] - '0');
  }
  if (n == 0) return std::nullopt;
  for (; n < 9; ++n) ns *= 10;
  return ns;
}

/// "Z", "+hh:mm" or "-hh:mm" → offset east of UTC in seconds.
std::optional<std::int64_t> zone(std::string_view s, std::size_t& pos) {
  if (expect(s, pos, "Zz")) return 0;
  if (pos >= s.size()) return std::nullopt;
  const int sign = s[pos] == '-' ? -1 : 1;
  if (!expect(s, pos, "+-")) return std::nullopt;
  const auto h = digits(s, pos, 2);
  if (!h || !expect(s, pos, ":")) return std::nullopt;
  const auto m = digits(s, pos, 2);
  if (!m) return std::nullopt;
  return sign * (*h * 3600 + *m * 60);
}

/// What parse() returns for a time it read but that nanoseconds in an int64 cannot hold
/// (after 2262-04-11T23:47:16Z).
constexpr std::int64_t out_of_range = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t max_seconds = std::numeric_limits<std::int64_t>::max() / 1'000'000'000 - 1;

std::optional<std::int64_t> parse(std::string_view s) {
  using namespace std::chrono;
  std::size_t pos = 0;
  const auto y = digits(s, pos, 4);
  if (!y || !expect(s, pos, "-")) return std::nullopt;
  const auto mo = digits(s, pos, 2);
  if (!mo || !expect(s, pos, "-")) return std::nullopt;
  const auto d = digits(s, pos, 2);
  if (!d) return std::nullopt;
  const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)},
                            day{static_cast<unsigned>(*d)}};
  if (!date.ok()) return std::nullopt;
  const std::int64_t days = sys_days(date).time_since_epoch().count();
  if (pos == s.size())
    return days < 0 || days * 86400 > max_seconds ? out_of_range : days * 86400 * 1'000'000'000;
  if (!expect(s, pos, "Tt ")) return std::nullopt;
  const auto h = digits(s, pos, 2);
  if (!h || *h > 23 || !expect(s, pos, ":")) return std::nullopt;
  const auto mi = digits(s, pos, 2);
  if (!mi || *mi > 59 || !expect(s, pos, ":")) return std::nullopt;
  const auto sec = digits(s, pos, 2);
  if (!sec || *sec > 60) return std::nullopt;
  const auto frac = fraction(s, pos);
  const auto off = frac ? zone(s, pos) : std::nullopt;
  if (!off || pos != s.size()) return std::nullopt;
  const std::int64_t secs = days * 86400 + *h * 3600 + *mi * 60 + *sec - *off;
  // Found by tests/fuzz/trace_time_flags: years after 2262 and before 1678 overflowed.
  if (secs < 0 || secs > max_seconds) return out_of_range;
  return secs * 1'000'000'000 + *frac;
}

}  // namespace

expected<std::uint64_t> parse_rfc3339(std::string_view text) {
  const auto ns = parse(text);
  if (ns && (*ns < 0 || *ns == out_of_range)) {
    return fail(std::errc::result_out_of_range,
                "'" + std::string(text) +
                    "' is outside the times vmterm-trace reads (1970-01-01 "
                    "to 2262-04-11)");
  }
  if (!ns) {
    return fail(std::errc::invalid_argument, "'" + std::string(text) +
                                                 "' is not an RFC 3339 time (e.g. "
                                                 "2024-01-31T05:28:29Z)");
  }
  return static_cast<std::uint64_t>(*ns);
}

}  // namespace vmterm::jaeger
