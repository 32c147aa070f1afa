#include "schedule/entry.hpp"

namespace vmterm::schedule {

using namespace std::chrono;

std::string duration_text(milliseconds d) {
  const auto ms = d.count();
  if (ms != 0 && ms % 86'400'000 == 0) return std::to_string(ms / 86'400'000) + "d";
  if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string entry::when_text() const {
  if (const auto* i = std::get_if<interval>(&when)) return "every " + duration_text(i->every);
  return "crontab " + cron()->text;
}

sys_ms next_due(const entry& e, sys_ms t, const time_zone& tz) noexcept {
  if (const auto* i = std::get_if<interval>(&e.when)) {
    const auto p = i->every.count();
    const auto now = t.time_since_epoch().count();
    // floor division, so times before the epoch work too
    auto k = now / p;
    if (now % p != 0 && now < 0) --k;
    return sys_ms(milliseconds((k + 1) * p));
  }
  const auto& c = *e.cron();
  // Crontab times are whole minutes: everything within t's second is "at or before t".
  const auto s = next_after(c, floor<seconds>(t), tz);
  if (s == sys_seconds::max()) return sys_ms::max();
  return sys_ms(duration_cast<milliseconds>(s.time_since_epoch()));
}

}  // namespace vmterm::schedule
