#pragma once
/// Time for spans: Unix nanoseconds from an injectable clock, so tests and samplers can use a
/// fake one.

#include <cstdint>
#include <functional>

namespace vmterm::trace {

/// Returns Unix nanoseconds. Must not throw; may be called from any thread at once, so a fake
/// clock shared between threads must synchronise itself. An empty clock_fn means the system clock.
using clock_fn = std::function<std::uint64_t()>;

/// The real wall clock (CLOCK_REALTIME) in Unix nanoseconds.
[[nodiscard]] std::uint64_t system_now_unix_nano() noexcept;

/// Reads `clock`, or the system clock when it is empty.
[[nodiscard]] inline std::uint64_t now_unix_nano(const clock_fn& clock) noexcept {
  return clock ? clock() : system_now_unix_nano();
}

}  // namespace vmterm::trace
