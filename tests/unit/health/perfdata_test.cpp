#include <catch2/catch.hpp>

#include "health/perfdata.hpp"

using vmterm::health::format;
using vmterm::health::perfdata;

TEST_CASE("perfdata follows the guidelines' grammar", "[health][perfdata]") {
  CHECK(format(perfdata{"http_time", 0.0021, "s", "0.5", "1", 0.0, 10.0}) ==
        "'http_time'=0.0021s;0.5;1;0;10");
  CHECK(format(perfdata{"http_size", 15.0, "B", "", "", 0.0, std::nullopt}) ==
        "'http_size'=15B;;;0");
  CHECK(format(perfdata{"redis_time", std::nullopt, "s", "0.5", "", 0.0, 10.0}) ==
        "'redis_time'=U");
  CHECK(format(perfdata{"n", 3.0, "", "", "", std::nullopt, std::nullopt}) == "'n'=3");
}

TEST_CASE("perfdata labels escape quotes and replace '='", "[health][perfdata]") {
  CHECK(format(perfdata{"it's a=b", 1.0, "s", "", "", std::nullopt, std::nullopt}) ==
        "'it''s a_b'=1s");
}

TEST_CASE("perfdata items join with one space", "[health][perfdata]") {
  std::vector<perfdata> items{{"a", 1.0, "s", "", "", std::nullopt, std::nullopt},
                              {"b", std::nullopt, "s", "", "", std::nullopt, std::nullopt}};
  CHECK(format(items) == "'a'=1s 'b'=U");
}
