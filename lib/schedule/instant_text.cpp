#include "schedule/instant_text.hpp"

#include <cctype>
#include <cstdio>

namespace vmterm::schedule {

using namespace std::chrono;

std::string format_instant(sys_ms t, const time_zone& tz) {
  const auto secs = floor<seconds>(t);
  const auto off = tz.offset_at(secs);
  const auto local = t + off;
  const auto day = floor<days>(local);
  const year_month_day ymd(day);
  const hh_mm_ss<milliseconds> tod(local - day);
  char buf[64];
  const auto ms = tod.subseconds().count();
  const long off_min = static_cast<long>(off.count() / 60);
  const char sign = off_min < 0 ? '-' : '+';
  const long a = off_min < 0 ? -off_min : off_min;
  if (ms != 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%03ld%c%02ld:%02ld",
                  int(ymd.year()), unsigned(ymd.month()), unsigned(ymd.day()),
                  static_cast<long>(tod.hours().count()), static_cast<long>(tod.minutes().count()),
                  static_cast<long>(tod.seconds().count()), static_cast<long>(ms), sign, a / 60,
                  a % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld%c%02ld:%02ld", int(ymd.year()),
                  unsigned(ymd.month()), unsigned(ymd.day()),
                  static_cast<long>(tod.hours().count()), static_cast<long>(tod.minutes().count()),
                  static_cast<long>(tod.seconds().count()), sign, a / 60, a % 60);
  }
  return buf;
}

expected<sys_ms> parse_instant(std::string_view text) {
  const auto bad = [&] {
    return fail(
        std::errc::invalid_argument,
        "'" + std::string(text) + "' is not an RFC 3339 time; write such as 2024-03-30T12:00:00Z");
  };
  std::size_t i = 0;
  const auto num = [&](std::size_t n, int& out) {
    if (text.size() - i < n) return false;
    out = 0;
    for (std::size_t k = 0; k < n; ++k, ++i) {
      if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  const auto eat = [&](char c) {
    if (i < text.size() && (text[i] == c || (c == 'T' && (text[i] == ' ' || text[i] == 't')))) {
      ++i;
      return true;
    }
    return false;
  };
  int y, mo, d, h, mi, s, ms = 0;
  if (!num(4, y) || !eat('-') || !num(2, mo) || !eat('-') || !num(2, d) || !eat('T') ||
      !num(2, h) || !eat(':') || !num(2, mi) || !eat(':') || !num(2, s)) {
    return bad();
  }
  if (eat('.')) {
    if (!num(3, ms)) return bad();
  }
  int off = 0;
  if (eat('Z') || eat('z')) {
  } else if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    const int sign = text[i] == '-' ? -1 : 1;
    ++i;
    int oh, om;
    if (!num(2, oh) || !eat(':') || !num(2, om) || oh > 23 || om > 59) return bad();
    off = sign * (oh * 60 + om);
  } else {
    return bad();
  }
  if (i != text.size()) return bad();
  const year_month_day ymd{year(y), month(static_cast<unsigned>(mo)),
                           day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 59) return bad();
  return sys_ms(sys_days(ymd).time_since_epoch()) + hours(h) + minutes(mi) + seconds(s) +
         milliseconds(ms) - minutes(off);
}

}  // namespace vmterm::schedule
