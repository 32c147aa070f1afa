#include "core/exit_code.hpp"

#include <catch2/catch.hpp>

using namespace vmterm;

TEST_CASE("the exit code table matches the documented codes", "[core][exit_code]") {
  CHECK(to_int(exit_code::ok) == 0);
  CHECK(to_int(exit_code::failure) == 1);
  CHECK(to_int(exit_code::usage) == 2);
  CHECK(to_int(exit_code::internal) == 3);
  for (std::size_t i = 0; i < exit_code_table.size(); ++i) {
    CHECK(exit_code_table[i].code == static_cast<int>(i));
  }
  CHECK(name_of(exit_code::usage) == "usage");
  CHECK(name_of(static_cast<exit_code>(42)) == "unknown");
}

TEST_CASE("health results follow the Nagios convention and aggregate to the worst",
          "[core][exit_code]") {
  CHECK(to_int(health_status::warning) == 1);
  CHECK(to_int(health_status::unknown) == 3);
  CHECK(worst(health_status::ok, health_status::warning) == health_status::warning);
  CHECK(worst(health_status::critical, health_status::warning) == health_status::critical);
  CHECK(worst(health_status::unknown, health_status::ok) == health_status::unknown);
  CHECK(worst(health_status::unknown, health_status::critical) == health_status::critical);
  CHECK(worst(health_status::warning, health_status::unknown) == health_status::warning);
  CHECK(health_status_table[2].name == "CRITICAL");
}
