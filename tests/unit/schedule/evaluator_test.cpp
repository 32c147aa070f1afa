// decide(): due now or ask again at T, with coalescing of missed ticks (Celery's behaviour).
#include "schedule/evaluator.hpp"

#include <catch2/catch.hpp>

#include "civil.hpp"

using namespace vmterm::schedule;
using namespace vmterm::schedule::test;
using namespace std::chrono;

namespace {
entry every(milliseconds p) {
  entry e;
  e.name = "t";
  e.task = "t";
  e.when = interval{p};
  return e;
}
}  // namespace

TEST_CASE("intervals are due on a grid counted from the Unix epoch", "[schedule]") {
  const auto tz = time_zone::utc();
  const auto e = every(60s);
  CHECK(next_due(e, ms(utc(2024, 5, 1, 10, 0, 0)), tz) == ms(utc(2024, 5, 1, 10, 1, 0)));
  CHECK(next_due(e, ms(utc(2024, 5, 1, 10, 0, 59)), tz) == ms(utc(2024, 5, 1, 10, 1, 0)));
  const auto fast = every(50ms);
  const auto t = ms(utc(2024, 5, 1)) + 1020ms;
  CHECK(next_due(fast, t, tz) == ms(utc(2024, 5, 1)) + 1050ms);
}

TEST_CASE("not due: ask again at the next due time", "[schedule]") {
  const auto tz = time_zone::utc();
  const auto d = decide(every(60s), ms(utc(2024, 5, 1, 10, 0)), ms(utc(2024, 5, 1, 10, 0, 30)), tz);
  CHECK_FALSE(d.due);
  CHECK(d.next == ms(utc(2024, 5, 1, 10, 1)));
}

TEST_CASE("due exactly at the due time; the next one follows", "[schedule]") {
  const auto tz = time_zone::utc();
  const auto d = decide(every(60s), ms(utc(2024, 5, 1, 10, 0)), ms(utc(2024, 5, 1, 10, 1)), tz);
  CHECK(d.due);
  CHECK(d.tick == ms(utc(2024, 5, 1, 10, 1)));
  CHECK(d.coalesced == 0);
  CHECK(d.next == ms(utc(2024, 5, 1, 10, 2)));
}

TEST_CASE("ticks missed while no beat ran are coalesced into the latest one", "[schedule]") {
  const auto tz = time_zone::utc();
  auto d = decide(every(60s), ms(utc(2024, 5, 1, 10, 0)), ms(utc(2024, 5, 1, 10, 5, 30)), tz);
  CHECK(d.due);
  CHECK(d.tick == ms(utc(2024, 5, 1, 10, 5)));
  CHECK(d.coalesced == 4);  // 10:01 to 10:04
  CHECK(d.next == ms(utc(2024, 5, 1, 10, 6)));
  d = decide(cron_entry("0 * * * *"), ms(utc(2024, 5, 1, 10, 0)), ms(utc(2024, 5, 1, 13, 20)), tz);
  CHECK(d.due);
  CHECK(d.tick == ms(utc(2024, 5, 1, 13, 0)));
  CHECK(d.coalesced == 2);
  CHECK_FALSE(d.coalesced_at_least);
  CHECK(d.next == ms(utc(2024, 5, 1, 14, 0)));
}

TEST_CASE("counting missed crontab ticks stops at a limit and still finds the latest",
          "[schedule]") {
  const auto tz = time_zone::utc();
  const auto d =
      decide(cron_entry("* * * * *"), ms(utc(2023, 5, 1)), ms(utc(2024, 5, 1, 10, 0, 30)), tz);
  CHECK(d.due);
  CHECK(d.tick == ms(utc(2024, 5, 1, 10, 0)));
  CHECK(d.coalesced_at_least);
  CHECK(d.coalesced == 10'000);
  CHECK(d.next == ms(utc(2024, 5, 1, 10, 1)));
}

TEST_CASE("the due times between two instants, oldest first, up to a limit", "[schedule]") {
  const auto tz = time_zone::utc();
  const auto base = ms(utc(2024, 5, 1));
  CHECK(due_between(every(50ms), base, base + 160ms, tz, 100) ==
        std::vector<sys_ms>{base + 50ms, base + 100ms, base + 150ms});
  CHECK(due_between(every(50ms), base, base + 160ms, tz, 2) ==
        std::vector<sys_ms>{base + 50ms, base + 100ms});
  CHECK(due_between(every(50ms), base, base + 40ms, tz, 100).empty());
}

TEST_CASE("sub-second intervals coalesce too", "[schedule]") {
  const auto tz = time_zone::utc();
  const auto base = ms(utc(2024, 5, 1));
  const auto d = decide(every(50ms), base, base + 260ms, tz);
  CHECK(d.due);
  CHECK(d.tick == base + 250ms);
  CHECK(d.coalesced == 4);
  CHECK(d.next == base + 300ms);
}

#include "schedule/instant_text.hpp"

TEST_CASE("instants print as RFC 3339 in the zone and parse back", "[schedule]") {
  auto tz = time_zone::load("America/New_York");
  REQUIRE(tz);
  CHECK(format_instant(ms(utc(2024, 3, 10, 7, 0)), *tz) == "2024-03-10T03:00:00-04:00");
  CHECK(format_instant(ms(utc(2024, 3, 10, 6, 59, 59)), *tz) == "2024-03-10T01:59:59-05:00");
  CHECK(format_instant(ms(utc(2024, 5, 1)) + 50ms, time_zone::utc()) ==
        "2024-05-01T00:00:00.050+00:00");
  CHECK(parse_instant("2024-03-10T03:00:00-04:00") == ms(utc(2024, 3, 10, 7, 0)));
  CHECK(parse_instant("2024-05-01 00:00:00.050Z") == ms(utc(2024, 5, 1)) + 50ms);
  CHECK(parse_instant("2024-02-30T00:00:00Z").error().message ==
        "'2024-02-30T00:00:00Z' is not an RFC 3339 time; write such as 2024-03-30T12:00:00Z");
  CHECK_FALSE(parse_instant("2024-05-01T00:00:00"));
}
