#include <catch2/catch.hpp>

#include "redis/detail/backoff.hpp"

using namespace std::chrono_literals;
using vmterm::redis::detail::backoff_ceiling;
using vmterm::redis::detail::backoff_delay;

TEST_CASE("backoff ceiling doubles from the base up to the cap", "[redis][backoff]") {
  CHECK(backoff_ceiling(0, 50ms, 1000ms) == 50ms);
  CHECK(backoff_ceiling(1, 50ms, 1000ms) == 100ms);
  CHECK(backoff_ceiling(4, 50ms, 1000ms) == 800ms);
  CHECK(backoff_ceiling(5, 50ms, 1000ms) == 1000ms);
  CHECK(backoff_ceiling(63, 50ms, 1000ms) == 1000ms);
  CHECK(backoff_ceiling(1000, 50ms, 1000ms) == 1000ms);
}

TEST_CASE("backoff delay is full jitter: anywhere from 0 to the ceiling", "[redis][backoff]") {
  CHECK(backoff_delay(2, 50ms, 1000ms, 0) == 0ms);
  CHECK(backoff_delay(2, 50ms, 1000ms, 200) == 200ms);  // ceiling 200: inclusive
  CHECK(backoff_delay(2, 50ms, 1000ms, 201) == 0ms);
  for (std::uint64_t r : {1ull, 77ull, 123456789ull, ~0ull}) {
    const auto d = backoff_delay(9, 50ms, 1000ms, r);
    CHECK(d >= 0ms);
    CHECK(d <= 1000ms);
  }
}
