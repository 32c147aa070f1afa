#pragma once
/// Crontab expressions with Celery's semantics (celery/schedules.py, crontab and
/// crontab_parser), pure:
/// - five fields: minute (0-59), hour (0-23), day-of-month (1-31), month (1-12),
///   day-of-week (0-6, 0 = Sunday; 7 is refused as Celery refuses it);
/// - `*`, numbers, ranges `a-b` (a range that wraps, `fri-mon` or `22-2`, is allowed as in
///   Celery), steps `*/n` and `a-b/n`, lists `a,b`; names in their fields (`jan`..`dec`,
///   `sun`..`sat`, full names too: Celery reads the first three letters);
/// - `@hourly`, `@daily` (`@midnight`), `@weekly`, `@monthly`, `@yearly` (`@annually`);
/// - a day matches when BOTH its day of month and its day of week match (Celery's rule: its
///   crontab(day_of_week='mon', day_of_month=18) runs only on Mondays the 18th), unlike
///   Vixie cron, where two restricted day fields match when EITHER does.
/// Times are wall-clock times in a time zone; see next_after() for DST days.

#include <bitset>
#include <chrono>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "schedule/time_zone.hpp"

namespace vmterm::schedule {

struct crontab {
  std::string text;  ///< as written, for messages
  std::bitset<60> minute;
  std::bitset<24> hour;
  std::bitset<32> day_of_month;  ///< bit 0 unused
  std::bitset<13> month;         ///< bit 0 unused
  std::bitset<7> day_of_week;    ///< 0 = Sunday

  /// Whether the hour field is every hour: such schedules follow the real clock across DST
  /// changes (see next_after()).
  [[nodiscard]] bool every_hour() const noexcept { return hour.all(); }
};

/// Parses an expression. Error messages have no prefix; the caller adds the file, line and
/// `crontab "<text>": ` (e.g. "minute 61 is out of range 0-59").
[[nodiscard]] expected<crontab> parse_crontab(std::string_view text);

/// The first wall-clock minute matching `c` at or after `from` (whole minutes), searching at
/// most 28 years ahead; local_seconds::max() when none (parse_crontab refuses such
/// expressions).
[[nodiscard]] local_seconds next_match(const crontab& c, local_seconds from) noexcept;

/// The first instant strictly after `t` at which `c` is due in `tz`, as cron does on DST days:
/// - a wall time skipped by a spring-forward runs once, at the instant the gap ends, when the
///   hour field is restricted (a daily 02:30 job runs at 03:00 on that day); schedules whose
///   hour field is `*` follow the real clock, so the skipped minutes do not exist for them;
/// - a wall time repeated by a fall-back runs once, at its first occurrence, when the hour
///   field is restricted; with hour `*` both occurrences run (an hourly job runs each real hour).
[[nodiscard]] sys_seconds next_after(const crontab& c, sys_seconds t, const time_zone& tz) noexcept;

}  // namespace vmterm::schedule
