#pragma once
/// Reconnect delays: capped exponential backoff with full jitter (AWS Architecture Blog,
/// "Exponential Backoff and Jitter"): attempt n waits a uniform random time in
/// [0, min(cap, base * 2^n)]. Pure: the random number comes in.

#include <chrono>
#include <cstdint>

namespace vmterm::redis::detail {

/// The ceiling for attempt `attempt` (0 = the first retry): min(cap, base * 2^attempt).
[[nodiscard]] std::chrono::milliseconds backoff_ceiling(unsigned attempt,
                                                        std::chrono::milliseconds base,
                                                        std::chrono::milliseconds cap) noexcept;
/// A delay in [0, backoff_ceiling(attempt, base, cap)] picked by `random` (any 64-bit value).
[[nodiscard]] std::chrono::milliseconds backoff_delay(unsigned attempt,
                                                      std::chrono::milliseconds base,
                                                      std::chrono::milliseconds cap,
                                                      std::uint64_t random) noexcept;

}  // namespace vmterm::redis::detail
