// The TZif reader and the POSIX TZ footer rule, against the system's tz database (tzdata).
#include "schedule/time_zone.hpp"

#include <catch2/catch.hpp>

#include "civil.hpp"

using namespace vmterm::schedule;
using namespace vmterm::schedule::test;
using namespace std::chrono;

TEST_CASE("Europe/Berlin changes offset at 01:00 UTC on the last Sundays of March and October",
          "[schedule]") {
  auto tz = time_zone::load("Europe/Berlin");
  REQUIRE(tz);
  CHECK(tz->name() == "Europe/Berlin");
  CHECK(tz->offset_at(utc(2024, 3, 31, 0, 59, 59)) == hours(1));
  CHECK(tz->offset_at(utc(2024, 3, 31, 1, 0, 0)) == hours(2));
  CHECK(tz->offset_at(utc(2024, 10, 27, 0, 59, 59)) == hours(2));
  CHECK(tz->offset_at(utc(2024, 10, 27, 1, 0, 0)) == hours(1));
  CHECK(tz->next_transition(utc(2024, 1, 1)) == utc(2024, 3, 31, 1));
}

TEST_CASE("times past the file's last transition follow its footer rule", "[schedule]") {
  auto tz = time_zone::load("Europe/Berlin");
  REQUIRE(tz);
  // 2040: last Sunday of March is the 25th, of October the 28th.
  CHECK(tz->offset_at(utc(2040, 3, 25, 0, 59, 59)) == hours(1));
  CHECK(tz->offset_at(utc(2040, 3, 25, 1, 0, 0)) == hours(2));
  CHECK(tz->offset_at(utc(2040, 10, 28, 1, 0, 0)) == hours(1));
  auto ny = time_zone::load("America/New_York");
  REQUIRE(ny);
  // 2041: second Sunday of March is the 10th (07:00 UTC), first Sunday of November the 3rd.
  CHECK(ny->offset_at(utc(2041, 3, 10, 6, 59, 59)) == hours(-5));
  CHECK(ny->offset_at(utc(2041, 3, 10, 7, 0, 0)) == hours(-4));
  CHECK(ny->offset_at(utc(2041, 11, 3, 5, 59, 59)) == hours(-4));
  CHECK(ny->offset_at(utc(2041, 11, 3, 6, 0, 0)) == hours(-5));
}

TEST_CASE("wall times are unique, in a gap or repeated", "[schedule]") {
  auto tz = time_zone::load("America/New_York");
  REQUIRE(tz);
  const auto wall = [](int y, unsigned mo, unsigned d, int h, int mi) {
    return local_seconds(utc(y, mo, d, h, mi).time_since_epoch());
  };
  auto r = tz->from_local(wall(2024, 3, 10, 2, 30));
  CHECK(r.what == local_lookup::kind::gap);
  CHECK(r.first == utc(2024, 3, 10, 7, 0));
  r = tz->from_local(wall(2024, 11, 3, 1, 30));
  CHECK(r.what == local_lookup::kind::repeated);
  CHECK(r.first == utc(2024, 11, 3, 5, 30));
  CHECK(r.second == utc(2024, 11, 3, 6, 30));
  r = tz->from_local(wall(2024, 7, 1, 12, 0));
  CHECK(r.what == local_lookup::kind::unique);
  CHECK(r.first == utc(2024, 7, 1, 16, 0));
}

TEST_CASE("POSIX TZ rules alone, including a southern-hemisphere one", "[schedule]") {
  auto syd = time_zone::from_posix("Sydney", "AEST-10AEDT,M10.1.0,M4.1.0/3");
  REQUIRE(syd);
  CHECK(syd->offset_at(utc(2030, 1, 15)) == hours(11));
  CHECK(syd->offset_at(utc(2030, 6, 15)) == hours(10));
  auto fixed = time_zone::from_posix("Plus3", "<+03>-3");
  REQUIRE(fixed);
  CHECK(fixed->offset_at(utc(2030, 1, 1)) == hours(3));
  CHECK_FALSE(time_zone::from_posix("bad", "XX"));
}

TEST_CASE("UTC needs no file", "[schedule]") {
  auto tz = time_zone::load("UTC", "/nonexistent");
  REQUIRE(tz);
  CHECK(tz->offset_at(utc(2024, 6, 1)) == seconds(0));
  CHECK(tz->from_local(local_seconds(utc(2024, 6, 1).time_since_epoch())).first == utc(2024, 6, 1));
}

TEST_CASE("unknown and unsafe zone names give exact errors", "[schedule]") {
  auto r = time_zone::load("Mars/Base");
  REQUIRE_FALSE(r);
  CHECK(r.error().message ==
        "time zone 'Mars/Base': no such zone in /usr/share/zoneinfo; use an IANA name such as "
        "Europe/Berlin or UTC (install the tzdata package)");
  r = time_zone::load("../../etc/passwd");
  REQUIRE_FALSE(r);
  CHECK(r.error().message ==
        "time zone '../../etc/passwd': not an IANA zone name; use an IANA name such as "
        "Europe/Berlin or UTC (install the tzdata package)");
  r = time_zone::load("Europe");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.starts_with("time zone 'Europe': no such zone"));
  r = time_zone::from_tzif("Broken", "TZif2 not really");
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "time zone 'Broken': not a TZif file; reinstall the tzdata package");
}
