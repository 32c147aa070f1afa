// Celery's own expectations for crontab.remaining_estimate and crontab.is_due, ported as data.
// Source: celery/celery t/unit/app/test_schedules.py (classes test_crontab_remaining_estimate
// and test_crontab_is_due). Celery's keyword arguments become the five fields
// "minute hour day-of-month month day-of-week"; its naive datetimes are UTC.
#include <catch2/catch.hpp>

#include "civil.hpp"
#include "schedule/evaluator.hpp"

using namespace vmterm::schedule;
using namespace vmterm::schedule::test;
using namespace std::chrono;

namespace {

struct next_case {
  const char* celery_test;
  const char* expr;
  sys_seconds now;
  sys_seconds expected;
};

struct due_case {
  const char* celery_test;
  const char* expr;
  sys_seconds now;
  sys_seconds last_run_at;
  bool due;
  seconds remaining;
};

}  // namespace

TEST_CASE("the next occurrence matches Celery's remaining_estimate cases", "[schedule]") {
  const next_case cases[] = {
      {"test_next_minute", "* * * * *", utc(2010, 9, 11, 14, 30, 15), utc(2010, 9, 11, 14, 31)},
      {"test_not_next_minute", "* * * * *", utc(2010, 9, 11, 14, 59, 15), utc(2010, 9, 11, 15, 0)},
      {"test_this_hour", "5,42 * * * *", utc(2010, 9, 11, 14, 30, 15), utc(2010, 9, 11, 14, 42)},
      {"test_not_this_hour", "5,10,15 * * * *", utc(2010, 9, 11, 14, 30, 15),
       utc(2010, 9, 11, 15, 5)},
      {"test_today", "5,42 12,17 * * *", utc(2010, 9, 11, 14, 30, 15), utc(2010, 9, 11, 17, 5)},
      {"test_not_today", "5,42 12 * * *", utc(2010, 9, 11, 14, 30, 15), utc(2010, 9, 12, 12, 5)},
      {"test_weekday", "30 14 * * sat", utc(2010, 9, 11, 14, 30, 15), utc(2010, 9, 18, 14, 30)},
      {"test_not_weekday", "5,42 * * * mon-fri", utc(2010, 9, 11, 14, 30, 15),
       utc(2010, 9, 13, 0, 5)},
      {"test_monthday", "30 14 18 * *", utc(2010, 9, 11, 14, 30, 15), utc(2010, 9, 18, 14, 30)},
      {"test_not_monthday", "5,42 * 29 * *", utc(2010, 1, 22, 14, 30, 15), utc(2010, 1, 29, 0, 5)},
      {"test_weekday_monthday", "30 14 18 * mon", utc(2010, 1, 18, 14, 30, 15),
       utc(2010, 10, 18, 14, 30)},
      {"test_monthday_not_weekday", "5,42 * 29 * sat", utc(2010, 1, 29, 0, 5, 15),
       utc(2010, 5, 29, 0, 5)},
      {"test_weekday_not_monthday", "5,42 * 18 * mon", utc(2010, 1, 11, 0, 5, 15),
       utc(2010, 1, 18, 0, 5)},
      {"test_not_weekday_not_monthday", "5,42 * 18 * mon", utc(2010, 1, 10, 0, 5, 15),
       utc(2010, 1, 18, 0, 5)},
      {"test_leapday", "30 14 29 * *", utc(2012, 1, 29, 14, 30, 15), utc(2012, 2, 29, 14, 30)},
      {"test_not_leapday", "30 14 29 * *", utc(2010, 1, 29, 14, 30, 15), utc(2010, 3, 29, 14, 30)},
      {"test_weekmonthdayyear", "30 14 29 1 fri", utc(2010, 1, 22, 14, 30, 15),
       utc(2010, 1, 29, 14, 30)},
      {"test_monthdayyear_not_week", "5,42 * 29 1,4,7 wed,thu", utc(2010, 1, 29, 14, 30, 15),
       utc(2010, 4, 29, 0, 5)},
      {"test_weekdaymonthyear_not_monthday", "30 14 29 1-10 fri", utc(2010, 1, 29, 14, 30, 15),
       utc(2010, 10, 29, 14, 30)},
      {"test_weekmonthday_not_monthyear", "5,42 * 29 2-10 fri", utc(2010, 1, 29, 14, 30, 15),
       utc(2010, 10, 29, 0, 5)},
      {"test_weekday_not_monthdayyear", "5,42 * 18 2-10 mon", utc(2010, 1, 11, 0, 5, 15),
       utc(2010, 10, 18, 0, 5)},
      {"test_monthday_not_weekdaymonthyear", "5,42 * 29 2-4 mon", utc(2010, 1, 29, 0, 5, 15),
       utc(2010, 3, 29, 0, 5)},
      {"test_monthyear_not_weekmonthday", "5,42 * 29 2-4 mon", utc(2010, 2, 28, 0, 5, 15),
       utc(2010, 3, 29, 0, 5)},
      {"test_not_weekmonthdayyear", "5,42 * 29 2-10 fri,sat", utc(2010, 1, 28, 14, 30, 15),
       utc(2010, 5, 29, 0, 5)},
      {"test_leapyear", "30 14 29 2 *", utc(2012, 2, 29, 14, 30), utc(2016, 2, 29, 14, 30)},
  };
  const auto tz = time_zone::utc();
  for (const auto& c : cases) {
    INFO(c.celery_test << ": " << c.expr);
    CHECK(next_due(cron_entry(c.expr), ms(c.now), tz) == ms(c.expected));
  }
}

TEST_CASE("due and ask-again-in match Celery's is_due cases", "[schedule]") {
  const char* hourly = "30 * * * *";
  const char* quarterly = "*/15 * * * *";
  const char* daily = "30 7 * * *";
  const char* weekly = "30 7 * * thursday";
  const char* monthly = "30 7 8-14 * thursday";
  const char* monthly_moy = "* 22 26,27,28 2 *";
  const char* yearly = "30 7 8-14 3 thursday";
  const due_case cases[] = {
      {"test_every_hour_execution_is_due", hourly, utc(2010, 5, 10, 10, 30),
       utc(2010, 5, 10, 6, 30), true, hours(1)},
      {"test_every_hour_execution_is_not_due", hourly, utc(2010, 5, 10, 10, 29),
       utc(2010, 5, 10, 9, 30), false, seconds(60)},
      {"test_first_quarter_execution_is_due", quarterly, utc(2010, 5, 10, 10, 15),
       utc(2010, 5, 10, 6, 30), true, minutes(15)},
      {"test_second_quarter_execution_is_due", quarterly, utc(2010, 5, 10, 10, 30),
       utc(2010, 5, 10, 6, 30), true, minutes(15)},
      {"test_first_quarter_execution_is_not_due", quarterly, utc(2010, 5, 10, 10, 14),
       utc(2010, 5, 10, 10, 0), false, seconds(60)},
      {"test_second_quarter_execution_is_not_due", quarterly, utc(2010, 5, 10, 10, 29),
       utc(2010, 5, 10, 10, 15), false, seconds(60)},
      {"test_daily_execution_is_due", daily, utc(2010, 5, 10, 7, 30), utc(2010, 5, 9, 7, 30), true,
       hours(24)},
      {"test_daily_execution_is_not_due", daily, utc(2010, 5, 10, 10, 30), utc(2010, 5, 10, 7, 30),
       false, hours(21)},
      {"test_weekly_execution_is_due", weekly, utc(2010, 5, 6, 7, 30), utc(2010, 4, 30, 7, 30),
       true, days(7)},
      {"test_weekly_execution_is_not_due", weekly, utc(2010, 5, 7, 10, 30), utc(2010, 5, 6, 7, 30),
       false, days(6) - hours(3)},
      {"test_monthly_execution_is_due", monthly, utc(2010, 5, 13, 7, 30), utc(2010, 4, 8, 7, 30),
       true, days(28)},
      {"test_monthly_execution_is_not_due", monthly, utc(2010, 5, 9, 10, 30),
       utc(2010, 4, 8, 7, 30), false, days(4) - hours(3)},
      {"test_monthly_moy_execution_is_due", monthly_moy, utc(2014, 2, 26, 22, 0),
       utc(2013, 7, 4, 10, 0), true, seconds(60)},
      {"test_monthly_moy_execution_is_due2", monthly_moy, utc(2014, 2, 26, 22, 0),
       utc(2013, 2, 28, 10, 0), true, seconds(60)},
      {"test_monthly_moy_execution_is_not_due2", monthly_moy, utc(2014, 2, 26, 21, 0),
       utc(2013, 6, 28, 22, 14), false, hours(1)},
      {"test_yearly_execution_is_due", yearly, utc(2010, 3, 11, 7, 30), utc(2009, 3, 12, 7, 30),
       true, days(364)},
      {"test_yearly_execution_is_not_due", yearly, utc(2010, 3, 7, 10, 30), utc(2009, 3, 12, 7, 30),
       false, days(4) - hours(3)},
  };
  const auto tz = time_zone::utc();
  for (const auto& c : cases) {
    INFO(c.celery_test << ": " << c.expr);
    const auto d = decide(cron_entry(c.expr), ms(c.last_run_at), ms(c.now), tz);
    CHECK(d.due == c.due);
    CHECK(d.next - ms(c.now) == c.remaining);
  }
}

TEST_CASE("Celery's DST cases: a daily 09:00 keeps its wall time after the change", "[schedule]") {
  // test_day_after_dst_end / test_day_after_dst_start, Europe/Paris, crontab(minute=0, hour=9)
  auto tz = time_zone::load("Europe/Paris");
  REQUIRE(tz);
  const auto e = cron_entry("0 9 * * *");
  // last run 2017-10-28 09:00 +02:00, now 2017-10-29 07:00 +01:00 -> 09:00 +01:00
  auto d = decide(e, ms(utc(2017, 10, 28, 7, 0)), ms(utc(2017, 10, 29, 6, 0)), *tz);
  CHECK_FALSE(d.due);
  CHECK(d.next == ms(utc(2017, 10, 29, 8, 0)));
  // last run 2017-03-25 09:00 +01:00, now 2017-03-26 07:00 +02:00 -> 09:00 +02:00
  d = decide(e, ms(utc(2017, 3, 25, 8, 0)), ms(utc(2017, 3, 26, 5, 0)), *tz);
  CHECK_FALSE(d.due);
  CHECK(d.next == ms(utc(2017, 3, 26, 7, 0)));
}
