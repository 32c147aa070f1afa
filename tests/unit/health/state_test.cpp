#include <catch2/catch.hpp>

#include "health/state.hpp"

using vmterm::health::state;
using vmterm::health::worst;

TEST_CASE("states fold worst-wins as OK < UNKNOWN < WARNING < CRITICAL", "[health][state]") {
  CHECK(worst(state::ok, state::unknown) == state::unknown);
  CHECK(worst(state::unknown, state::warning) == state::warning);
  CHECK(worst(state::warning, state::unknown) == state::warning);
  CHECK(worst(state::critical, state::unknown) == state::critical);
  CHECK(worst(state::warning, state::critical) == state::critical);
  CHECK(worst(state::ok, state::ok) == state::ok);
}

TEST_CASE("the state is the exit code", "[health][state]") {
  CHECK(static_cast<int>(state::ok) == 0);
  CHECK(static_cast<int>(state::warning) == 1);
  CHECK(static_cast<int>(state::critical) == 2);
  CHECK(static_cast<int>(state::unknown) == 3);
}

TEST_CASE("state names parse in any case", "[health][state]") {
  state s = state::ok;
  CHECK(vmterm::health::parse_state("unknown", s));
  CHECK(s == state::unknown);
  CHECK(vmterm::health::parse_state("Warning", s));
  CHECK(s == state::warning);
  CHECK_FALSE(vmterm::health::parse_state("bad", s));
  CHECK(vmterm::health::state_name(state::critical) == "CRITICAL");
}
