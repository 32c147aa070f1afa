#pragma once
/// The OTLP/HTTP retry rules (opentelemetry-proto's specification): which outcomes are retried
/// and how long to wait before the next attempt. Pure, apart from the random jitter source.

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

#include "trace_otlp/otlp_http_options.hpp"

namespace vmterm::trace_otlp {

/// 429, 502, 503 and 504 are retried; every other status is final.
[[nodiscard]] constexpr bool retryable_status(unsigned status) noexcept {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

/// A Retry-After value as a delay from `now`: delta-seconds ("120") or an HTTP-date
/// ("Wed, 21 Oct 2015 07:28:00 GMT", a past date meaning 0). nullopt when unparseable.
[[nodiscard]] std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

/// The wait before attempt `attempt + 1` after `attempt` (1-based) failed:
/// min(initial × multiplierⁿ⁻¹, max) × U(1 − jitter, 1 + jitter).
[[nodiscard]] std::chrono::milliseconds backoff(const retry_policy& policy, int attempt,
                                                std::minstd_rand& random);

}  // namespace vmterm::trace_otlp
