// DST days in two zones, leap years and steps across hours: when each tick falls.
#include <catch2/catch.hpp>
#include <vector>

#include "civil.hpp"

using namespace vmterm::schedule;
using namespace vmterm::schedule::test;
using namespace std::chrono;

namespace {

/// The next `n` due times after `from`.
std::vector<sys_ms> run(const entry& e, sys_seconds from, int n, const time_zone& tz) {
  std::vector<sys_ms> out;
  auto t = ms(from);
  for (int i = 0; i < n; ++i) {
    t = next_due(e, t, tz);
    out.push_back(t);
  }
  return out;
}

time_zone zone(const char* name) {
  auto tz = time_zone::load(name);
  REQUIRE(tz);
  return *tz;
}

}  // namespace

TEST_CASE("Berlin spring-forward: a daily 02:30 runs once at 03:00, when the gap ends",
          "[schedule]") {
  const auto tz = zone("Europe/Berlin");
  CHECK(run(cron_entry("30 2 * * *"), utc(2024, 3, 30, 12), 2, tz) ==
        std::vector<sys_ms>{ms(utc(2024, 3, 31, 1, 0)), ms(utc(2024, 4, 1, 0, 30))});
  // Every time in the gap maps to the same instant, which runs once.
  CHECK(run(cron_entry("*/15 2 * * *"), utc(2024, 3, 30, 12), 2, tz) ==
        std::vector<sys_ms>{ms(utc(2024, 3, 31, 1, 0)), ms(utc(2024, 4, 1, 0, 0))});
}

TEST_CASE("Berlin fall-back: a daily 02:30 runs once, at its first occurrence", "[schedule]") {
  const auto tz = zone("Europe/Berlin");
  CHECK(run(cron_entry("30 2 * * *"), utc(2024, 10, 26, 12), 2, tz) ==
        std::vector<sys_ms>{ms(utc(2024, 10, 27, 0, 30)), ms(utc(2024, 10, 28, 1, 30))});
}

TEST_CASE("Berlin: with hour * the schedule follows the real clock through both changes",
          "[schedule]") {
  const auto tz = zone("Europe/Berlin");
  // fall-back: 01:30 CEST, 02:30 CEST, 02:30 CET, 03:30 CET: one run per real hour
  CHECK(run(cron_entry("30 * * * *"), utc(2024, 10, 26, 23), 4, tz) ==
        std::vector<sys_ms>{ms(utc(2024, 10, 26, 23, 30)), ms(utc(2024, 10, 27, 0, 30)),
                            ms(utc(2024, 10, 27, 1, 30)), ms(utc(2024, 10, 27, 2, 30))});
  // spring-forward: 01:30 CET, then 03:30 CEST; 02:30 did not exist
  CHECK(run(cron_entry("30 * * * *"), utc(2024, 3, 31, 0), 2, tz) ==
        std::vector<sys_ms>{ms(utc(2024, 3, 31, 0, 30)), ms(utc(2024, 3, 31, 1, 30))});
}

TEST_CASE("New York spring-forward and fall-back", "[schedule]") {
  const auto tz = zone("America/New_York");
  // 2024-03-10: 02:00 EST -> 03:00 EDT (07:00 UTC)
  CHECK(run(cron_entry("30 2 * * *"), utc(2024, 3, 9, 12), 2, tz) ==
        std::vector<sys_ms>{ms(utc(2024, 3, 10, 7, 0)), ms(utc(2024, 3, 11, 6, 30))});
  CHECK(run(cron_entry("0 9 * * *"), utc(2024, 3, 9, 0), 2, tz) ==
        std::vector<sys_ms>{ms(utc(2024, 3, 9, 14, 0)), ms(utc(2024, 3, 10, 13, 0))});
  // 2024-11-03: 02:00 EDT -> 01:00 EST (06:00 UTC); 01:30 runs once, at 01:30 EDT
  CHECK(run(cron_entry("30 1 * * *"), utc(2024, 11, 2, 12), 2, tz) ==
        std::vector<sys_ms>{ms(utc(2024, 11, 3, 5, 30)), ms(utc(2024, 11, 4, 6, 30))});
  CHECK(run(cron_entry("*/30 * * * *"), utc(2024, 11, 3, 5, 0), 4, tz) ==
        std::vector<sys_ms>{ms(utc(2024, 11, 3, 5, 30)), ms(utc(2024, 11, 3, 6, 0)),
                            ms(utc(2024, 11, 3, 6, 30)), ms(utc(2024, 11, 3, 7, 0))});
}

TEST_CASE("February 29 comes only in leap years, 2100 not being one", "[schedule]") {
  const auto tz = time_zone::utc();
  CHECK(run(cron_entry("0 0 29 2 *"), utc(2023, 3, 1), 3, tz) ==
        std::vector<sys_ms>{ms(utc(2024, 2, 29)), ms(utc(2028, 2, 29)), ms(utc(2032, 2, 29))});
  CHECK(run(cron_entry("0 12 29 feb *"), utc(2096, 3, 1), 1, tz) ==
        std::vector<sys_ms>{ms(utc(2104, 2, 29, 12))});
  // Celery's AND of the two day fields: Feb 29 on a Monday next comes in 2044 after 2016.
  CHECK(run(cron_entry("0 0 29 2 mon"), utc(2016, 3, 1), 1, tz) ==
        std::vector<sys_ms>{ms(utc(2044, 2, 29))});
}

TEST_CASE("*/7 minutes restart at :00 each hour", "[schedule]") {
  const auto tz = time_zone::utc();
  CHECK(run(cron_entry("*/7 * * * *"), utc(2024, 5, 1, 10, 45), 5, tz) ==
        std::vector<sys_ms>{ms(utc(2024, 5, 1, 10, 49)), ms(utc(2024, 5, 1, 10, 56)),
                            ms(utc(2024, 5, 1, 11, 0)), ms(utc(2024, 5, 1, 11, 7)),
                            ms(utc(2024, 5, 1, 11, 14))});
  // across midnight and a month end
  CHECK(run(cron_entry("*/7 23 * * *"), utc(2024, 4, 30, 23, 50), 2, tz) ==
        std::vector<sys_ms>{ms(utc(2024, 4, 30, 23, 56)), ms(utc(2024, 5, 1, 23, 0))});
}
