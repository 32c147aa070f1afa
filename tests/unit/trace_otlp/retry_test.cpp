#include "trace_otlp/retry.hpp"

#include <catch2/catch.hpp>

namespace {
using namespace vmterm;
using namespace std::chrono_literals;
}  // namespace

TEST_CASE("Only 429, 502, 503 and 504 are retryable", "[trace_otlp]") {
  for (unsigned s : {429U, 502U, 503U, 504U}) CHECK(trace_otlp::retryable_status(s));
  for (unsigned s : {200U, 400U, 401U, 404U, 408U, 413U, 500U, 501U}) {
    CHECK_FALSE(trace_otlp::retryable_status(s));
  }
}

TEST_CASE("Retry-After is delta-seconds or an HTTP-date", "[trace_otlp]") {
  const auto now = std::chrono::system_clock::from_time_t(1445412480);  // 2015-10-21 07:28:00Z
  CHECK(trace_otlp::parse_retry_after("120", now) == 120000ms);
  CHECK(trace_otlp::parse_retry_after(" 0 ", now) == 0ms);
  CHECK(trace_otlp::parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now) == 30000ms);
  CHECK(trace_otlp::parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now) == 0ms);
  CHECK_FALSE(trace_otlp::parse_retry_after("", now).has_value());
  CHECK_FALSE(trace_otlp::parse_retry_after("soon", now).has_value());
  CHECK_FALSE(trace_otlp::parse_retry_after("-1", now).has_value());
}

TEST_CASE("Backoff grows by the multiplier up to the cap, within the jitter", "[trace_otlp]") {
  trace_otlp::retry_policy p;  // 1 s ×1.5, cap 5 s, jitter 0.2
  std::minstd_rand random(42);
  for (int i = 0; i < 50; ++i) {
    const auto first = trace_otlp::backoff(p, 1, random);
    CHECK(first >= 800ms);
    CHECK(first <= 1200ms);
    const auto third = trace_otlp::backoff(p, 3, random);  // 2.25 s
    CHECK(third >= 1800ms);
    CHECK(third <= 2700ms);
    const auto late = trace_otlp::backoff(p, 10, random);  // capped at 5 s
    CHECK(late >= 4000ms);
    CHECK(late <= 6000ms);
  }
  p.jitter = 0;
  CHECK(trace_otlp::backoff(p, 2, random) == 1500ms);
}
