#include "trace/clock.hpp"

#include <time.h>

namespace vmterm::trace {

std::uint64_t system_now_unix_nano() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ULL +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

}  // namespace vmterm::trace
