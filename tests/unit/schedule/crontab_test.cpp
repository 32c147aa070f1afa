// The crontab parser: Celery's crontab_parser cases (celery/celery
// t/unit/app/test_schedules.py, class test_crontab_parser and the *_formats / invalid_*
// parametrized cases of test_crontab_is_due), ported as data, plus vmterm's exact errors.
#include "schedule/crontab.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>

using vmterm::schedule::parse_crontab;

namespace {

/// The values set in one field of "<field expression>" placed at position `pos`.
std::set<int> field_values(const std::string& expr, int pos) {
  std::string parts[5] = {"*", "*", "*", "*", "*"};
  parts[pos] = expr;
  const auto c =
      parse_crontab(parts[0] + " " + parts[1] + " " + parts[2] + " " + parts[3] + " " + parts[4]);
  REQUIRE(c);
  std::set<int> out;
  for (int v = 0; v < 60; ++v) {
    const auto u = static_cast<std::size_t>(v);
    const bool on = (pos == 0 && u < 60 && c->minute[u]) || (pos == 1 && u < 24 && c->hour[u]) ||
                    (pos == 2 && u < 32 && c->day_of_month[u]) ||
                    (pos == 3 && u < 13 && c->month[u]) || (pos == 4 && u < 7 && c->day_of_week[u]);
    if (on) out.insert(v);
  }
  return out;
}

std::set<int> range(int a, int b) {
  std::set<int> s;
  for (int i = a; i <= b; ++i) s.insert(i);
  return s;
}

std::string error_of(const std::string& expr) {
  auto c = parse_crontab(expr);
  REQUIRE_FALSE(c);
  return c.error().message;
}

}  // namespace

TEST_CASE("a star is every value of its field", "[schedule]") {
  CHECK(field_values("*", 0) == range(0, 59));
  CHECK(field_values("*", 1) == range(0, 23));
  CHECK(field_values("*", 2) == range(1, 31));
  CHECK(field_values("*", 3) == range(1, 12));
  CHECK(field_values("*", 4) == range(0, 6));
}

TEST_CASE("ranges, lists and steps expand as Celery's crontab_parser does", "[schedule]") {
  // test_parse_range
  CHECK(field_values("1-10", 0) == range(1, 10));
  CHECK(field_values("0-20", 1) == range(0, 20));
  // test_parse_range_wraps: Celery's parser accepts a range that wraps past the maximum
  CHECK(field_values("11-1", 1) ==
        std::set<int>{11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 0, 1});
  CHECK(field_values("2-1", 2) == range(1, 31));
  // test_parse_groups
  CHECK(field_values("1,2,3,4", 0) == std::set<int>{1, 2, 3, 4});
  CHECK(field_values("0,15,30,45", 0) == std::set<int>{0, 15, 30, 45});
  // test_parse_steps
  CHECK(field_values("*/2", 4) == std::set<int>{0, 2, 4, 6});
  CHECK(field_values("*/3", 0) ==
        std::set<int>{0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39, 42, 45, 48, 51, 54, 57});
  CHECK(field_values("*/2", 3) == std::set<int>{1, 3, 5, 7, 9, 11});  // min 1 starts the steps
  // test_parse_composite
  CHECK(field_values("2-9/5", 0) == std::set<int>{2, 7});
  CHECK(field_values("2-10/5", 0) == std::set<int>{2, 7});
  CHECK(field_values("2-11/5,3", 0) == std::set<int>{2, 3, 7});
  CHECK(field_values("2-4/3,*/5,0-21/4", 0) ==
        std::set<int>{0, 2, 4, 5, 8, 10, 12, 15, 16, 20, 25, 30, 35, 40, 45, 50, 55});
  CHECK(field_values("1-9/2", 0) == std::set<int>{1, 3, 5, 7, 9});
  CHECK(field_values("2-4/3,*/5,1-21/4", 2) ==
        std::set<int>{1, 2, 5, 6, 9, 11, 13, 16, 17, 21, 26, 31});
  // test_crontab_spec_dom_formats / moy_formats
  CHECK(field_values("*/5", 2) == std::set<int>{1, 6, 11, 16, 21, 26, 31});
  CHECK(field_values("2-12/2", 3) == std::set<int>{2, 4, 6, 8, 10, 12});
}

TEST_CASE("day and month names are read by their first three letters, as Celery does",
          "[schedule]") {
  // test_crontab_spec_dow_formats
  CHECK(field_values("fri", 4) == std::set<int>{5});
  CHECK(field_values("tuesday,sunday,fri", 4) == std::set<int>{0, 2, 5});
  CHECK(field_values("mon-fri", 4) == std::set<int>{1, 2, 3, 4, 5});
  CHECK(field_values("fri-mon", 4) == std::set<int>{5, 6, 0, 1});
  CHECK(field_values("jan,Jul,DECEMBER", 3) == std::set<int>{1, 7, 12});
  CHECK(field_values("mar-may", 3) == std::set<int>{3, 4, 5});
}

TEST_CASE("shorthands expand to their five fields", "[schedule]") {
  const auto same = [](const std::string& a, const std::string& b) {
    auto x = parse_crontab(a);
    auto y = parse_crontab(b);
    REQUIRE(x);
    REQUIRE(y);
    return x->minute == y->minute && x->hour == y->hour && x->day_of_month == y->day_of_month &&
           x->month == y->month && x->day_of_week == y->day_of_week;
  };
  CHECK(same("@hourly", "0 * * * *"));
  CHECK(same("@daily", "0 0 * * *"));
  CHECK(same("@midnight", "0 0 * * *"));
  CHECK(same("@weekly", "0 0 * * 0"));
  CHECK(same("@monthly", "0 0 1 * *"));
  CHECK(same("@yearly", "0 0 1 1 *"));
  CHECK(same("@annually", "0 0 1 1 *"));
}

TEST_CASE("bad crontab expressions give exact errors", "[schedule]") {
  CHECK(error_of("61 * * * *") == "minute 61 is out of range 0-59");
  CHECK(error_of("0-100 * * * *") == "minute 100 is out of range 0-59");
  CHECK(error_of("* 24 * * *") == "hour 24 is out of range 0-23");
  CHECK(error_of("* 0-30 * * *") == "hour 30 is out of range 0-23");
  CHECK(error_of("* * 0 * *") == "day-of-month 0 is out of range 1-31");
  CHECK(error_of("* * 31,32 * *") == "day-of-month 32 is out of range 1-31");
  CHECK(error_of("* * * 13 *") == "month 13 is out of range 1-12");
  CHECK(error_of("* * * 0-5 *") == "month 0 is out of range 1-12");
  CHECK(error_of("* * * * 7") == "day-of-week 7 is out of range 0-6; use 0 for Sunday");
  CHECK(error_of("* * * * 12") == "day-of-week 12 is out of range 0-6");
  CHECK(error_of("* * * * fooday-barday") ==
        "day-of-week 'fooday' is not a number or a day name (sun-sat)");
  CHECK(error_of("* * * * 1,4,foo") == "day-of-week 'foo' is not a number or a day name (sun-sat)");
  CHECK(error_of("* * * foo *") == "month 'foo' is not a number or a month name (jan-dec)");
  CHECK(error_of("mon * * * *") == "minute 'mon' is not a number");
  CHECK(error_of("1,,2 * * * *") == "minute '1,,2' has an empty list item");
  CHECK(error_of("*/ * * * *") == "minute step '' is not a whole number above 0");
  CHECK(error_of("*/0 * * * *") == "minute step '0' is not a whole number above 0");
  CHECK(error_of("-20 * * * *") == "minute '-20': negative numbers are not allowed");
  CHECK(error_of("5/15 * * * *") == "minute '5/15': a step needs a range or *; write 5-59/15");
  CHECK(error_of("* * * *") == "has 4 fields; write 5: minute hour day-of-month month day-of-week");
  CHECK(error_of("") == "has 0 fields; write 5: minute hour day-of-month month day-of-week");
  CHECK(error_of("@often") ==
        "unknown shorthand '@often'; use @hourly, @daily, @weekly, @monthly or @yearly");
  // Celery's test_invalid_specification loops until RuntimeError; refused when parsed here.
  CHECK(error_of("* * 31 4 *") ==
        "day-of-month '31' never occurs in the selected months; it would never run");
  CHECK(error_of("0 0 30,31 feb *") ==
        "day-of-month '30,31' never occurs in the selected months; it would never run");
}
