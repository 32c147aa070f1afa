#include "core/parse.hpp"

#include <catch2/catch.hpp>

using namespace vmterm;
using namespace std::chrono_literals;

TEST_CASE("booleans follow the OpenTelemetry rule, case-insensitively", "[core][parse]") {
  CHECK(parse::boolean("true").value());
  CHECK(parse::boolean("TRUE").value());
  CHECK(parse::boolean(" On ").value());
  CHECK_FALSE(parse::boolean("false").value());
  CHECK_FALSE(parse::boolean("0").value());
  const auto bad = parse::boolean("maybe");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "'maybe' is not a boolean; use true or false");
  CHECK(bad.error().code == std::errc::invalid_argument);
}

TEST_CASE("integers are whole, within range, with nothing trailing", "[core][parse]") {
  CHECK(parse::integer("8000", 1, 65535).value() == 8000);
  CHECK(parse::integer("-5", -10, 10).value() == -5);
  CHECK(parse::integer("80x", 1, 65535).error().message == "'80x' is not a whole number");
  CHECK(parse::integer("", 1, 65535).error().message == "'' is not a whole number");
  CHECK(parse::integer("1.5", 1, 65535).error().message == "'1.5' is not a whole number");
  const auto big = parse::integer("70000", 1, 65535);
  REQUIRE_FALSE(big);
  CHECK(big.error().message == "'70000' is out of range; use a number from 1 to 65535");
  CHECK(big.error().code == std::errc::result_out_of_range);
  CHECK_FALSE(parse::integer("99999999999999999999", 0, 10));
}

TEST_CASE("numbers are finite decimals", "[core][parse]") {
  CHECK(parse::number("0.25").value() == 0.25);
  CHECK(parse::number("1e-3").value() == 0.001);
  CHECK_FALSE(parse::number("nan"));
  CHECK_FALSE(parse::number("inf"));
  CHECK(parse::number("0.5s").error().message == "'0.5s' is not a number");
}

TEST_CASE("durations take a unit, or bare milliseconds by default", "[core][parse]") {
  CHECK(parse::duration("250ms").value() == 250ms);
  CHECK(parse::duration("10s").value() == 10s);
  CHECK(parse::duration("5m").value() == 5min);
  CHECK(parse::duration("2h").value() == 2h);
  CHECK(parse::duration("1d").value() == 24h);
  CHECK(parse::duration("7us").value() == 7us);
  CHECK(parse::duration("30000").value() == 30s);
  CHECK(parse::duration("3", std::chrono::seconds(1)).value() == 3s);
  CHECK(parse::duration("3", std::chrono::nanoseconds(0)).error().code ==
        std::errc::invalid_argument);
  CHECK(parse::duration("10 s").error().message ==
        "'10 s' is not a duration; use a whole number with a unit such as 250ms, 10s, 5m or 2h");
  CHECK_FALSE(parse::duration("s"));
  CHECK_FALSE(parse::duration("-1s"));
  CHECK_FALSE(parse::duration("10y"));
  CHECK(parse::duration("999999999999d").error().message ==
        "'999999999999d' is too long a duration");
}

TEST_CASE("trim removes surrounding white space only", "[core][parse]") {
  CHECK(parse::trim("  a b \t\n") == "a b");
  CHECK(parse::trim("   ").empty());
  CHECK(parse::trim("") == "");
}

TEST_CASE("percent_decode decodes %XX in either case and refuses broken escapes", "[core][parse]") {
  CHECK(parse::percent_decode("a%20b%2Cc%2cd") == std::optional<std::string>("a b,c,d"));
  CHECK(parse::percent_decode("plain") == std::optional<std::string>("plain"));
  CHECK_FALSE(parse::percent_decode("50%"));
  CHECK_FALSE(parse::percent_decode("%4"));
  CHECK_FALSE(parse::percent_decode("%zz"));
}

TEST_CASE("Sizes are bytes or a whole number with a binary unit", "[parse]") {
  CHECK(parse::size("65536").value() == 65536);
  CHECK(parse::size("0").value() == 0);
  CHECK(parse::size("100B").value() == 100);
  CHECK(parse::size("64KiB").value() == 65536);
  CHECK(parse::size("64K").value() == 65536);
  CHECK(parse::size("1MiB").value() == 1u << 20);
  CHECK(parse::size("2G").value() == std::uint64_t{2} << 30);
  CHECK(parse::size("2GiB").value() == std::uint64_t{2} << 30);
  for (const auto* bad : {"", "KiB", "12x", "1.5MiB", "-1", "64 KiB", "64kib", "99999999999GiB"}) {
    INFO(bad);
    CHECK(parse::size(bad).error().message ==
          "'" + std::string(bad) +
              "' is not a size; use a whole number of bytes or KiB/MiB such as 65536 or 64KiB");
  }
}

TEST_CASE("lower() folds ASCII only", "[parse]") {
  CHECK(parse::lower("Host.EXAMPLE-1") == "host.example-1");
  CHECK(parse::lower("\xC3\x84") == "\xC3\x84");
}
