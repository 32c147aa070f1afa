#include "core/config.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdlib>

using namespace vmterm;
using namespace std::chrono_literals;

TEST_CASE("values parse by their type, and errors name only the value", "[core][config]") {
  CHECK(config::parse_as<std::string>(" a b ").value() == " a b ");
  CHECK(config::parse_as<double>("0.5").value() == 0.5);
  CHECK(config::parse_as<bool>("TRUE").value());
  CHECK(config::parse_as<std::chrono::milliseconds>("2s").value() == 2000ms);
  CHECK(config::parse_as<int>(" 42 ").value() == 42);
  const auto junk = config::parse_as<int>("junk");
  REQUIRE_FALSE(junk);
  CHECK(junk.error().message == "'junk' is not a whole number");
  CHECK_FALSE(config::parse_as<std::uint16_t>("70000"));
  CHECK_FALSE(config::parse_as<std::uint64_t>("18446744073709551615"));
}

TEST_CASE("the process environment treats empty as unset", "[core][config]") {
  ::setenv("VMTERM_TEST_CONFIG_EMPTY", "", 1);
  ::setenv("VMTERM_TEST_CONFIG_SET", "42", 1);
  const auto env = config::process_env();
  CHECK_FALSE(env("VMTERM_TEST_CONFIG_EMPTY"));
  CHECK_FALSE(env("VMTERM_TEST_CONFIG_NEVER_SET"));
  CHECK(env("VMTERM_TEST_CONFIG_SET") == std::optional<std::string>("42"));
}
