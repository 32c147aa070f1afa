#include <catch2/catch.hpp>
#include <limits>

#include "health/range.hpp"

using vmterm::health::alerts;
using vmterm::health::parse_range;
using vmterm::health::range;

namespace {
range parsed(std::string_view text) {
  auto r = parse_range(text);
  INFO(text);
  REQUIRE(r);
  return *r;
}
std::string error_of(std::string_view text) {
  auto r = parse_range(text);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == std::errc::invalid_argument);
  return r.error().message;
}
constexpr double inf = std::numeric_limits<double>::infinity();
}  // namespace

// The guidelines' table (developer-guidelines "Threshold and ranges"), row by row.
TEST_CASE("range '10' alerts below 0 and above 10", "[health][range]") {
  auto r = parsed("10");
  CHECK(r == range{0, 10, false});
  CHECK(alerts(r, -0.1));
  CHECK_FALSE(alerts(r, 0));
  CHECK_FALSE(alerts(r, 10));
  CHECK(alerts(r, 10.001));
}

TEST_CASE("range '10:' alerts below 10 only", "[health][range]") {
  auto r = parsed("10:");
  CHECK(r == range{10, inf, false});
  CHECK(alerts(r, 9.99));
  CHECK_FALSE(alerts(r, 10));
  CHECK_FALSE(alerts(r, 1e9));
}

TEST_CASE("range '~:10' alerts above 10 only, negatives allowed", "[health][range]") {
  auto r = parsed("~:10");
  CHECK(r == range{-inf, 10, false});
  CHECK_FALSE(alerts(r, -1e9));
  CHECK_FALSE(alerts(r, 10));
  CHECK(alerts(r, 10.5));
}

TEST_CASE("range '10:20' alerts outside 10..20 inclusive", "[health][range]") {
  auto r = parsed("10:20");
  CHECK(alerts(r, 9.9));
  CHECK_FALSE(alerts(r, 10));
  CHECK_FALSE(alerts(r, 20));
  CHECK(alerts(r, 20.1));
}

TEST_CASE("range '@10:20' alerts inside 10..20 inclusive", "[health][range]") {
  auto r = parsed("@10:20");
  CHECK(r.inside);
  CHECK_FALSE(alerts(r, 9.9));
  CHECK(alerts(r, 10));
  CHECK(alerts(r, 15));
  CHECK(alerts(r, 20));
  CHECK_FALSE(alerts(r, 20.1));
}

TEST_CASE("range '5:6' as the guidelines' -c5:6 example", "[health][range]") {
  auto r = parsed("5:6");
  CHECK(alerts(r, 4));
  CHECK_FALSE(alerts(r, 5.5));
  CHECK(alerts(r, 7));
}

TEST_CASE("range bounds take the units ms and s, and a bare number is seconds", "[health][range]") {
  CHECK(parsed("500ms") == range{0, 0.5, false});
  CHECK(parsed("2s") == range{0, 2, false});
  CHECK(parsed("100ms:2s") == range{0.1, 2, false});
  CHECK(parsed("@1.5:2500ms") == range{1.5, 2.5, true});
  CHECK(parsed("0.25") == range{0, 0.25, false});
  CHECK(parsed("-1:1") == range{-1, 1, false});
}

TEST_CASE("bad ranges are refused with the value named", "[health][range]") {
  const std::string hint =
      "; use seconds like 0.5, or a range like 10:20, ~:2s, 100ms: or @1:2 (units ms or s)";
  CHECK(error_of("abc") == "'abc' is not a number" + hint);
  CHECK(error_of("") == "the range '' is empty" + hint);
  CHECK(error_of("@") == "the range '@' is empty" + hint);
  CHECK(error_of(":") == "the range ':' has no bounds" + hint);
  CHECK(error_of("20:10") == "in '20:10' the start 20s is above the end 10s" + hint);
  CHECK(error_of("10m") == "'10m' is not a number" + hint);
  CHECK(error_of("1e3") == "'1e3' is not a number" + hint);
  CHECK(error_of("1:x") == "'x' is not a number" + hint);
  CHECK(error_of("~") == "'~' is not a number" + hint);
  CHECK(error_of("ms") == "'ms' is not a number" + hint);
}

TEST_CASE("ranges print back in seconds for perfdata", "[health][range]") {
  using vmterm::health::to_string;
  CHECK(to_string(parsed("500ms")) == "0.5");
  CHECK(to_string(parsed("10:")) == "10:");
  CHECK(to_string(parsed("~:10")) == "~:10");
  CHECK(to_string(parsed("10:20")) == "10:20");
  CHECK(to_string(parsed("@10ms:20ms")) == "@0.01:0.02");
}

TEST_CASE("numbers print without exponent, at most 6 decimals", "[health][range]") {
  using vmterm::health::format_number;
  CHECK(format_number(0.0021) == "0.0021");
  CHECK(format_number(10) == "10");
  CHECK(format_number(1e-9) == "0");
  CHECK(format_number(123456789.5) == "123456789.5");
  CHECK(format_number(inf) == "U");
}
