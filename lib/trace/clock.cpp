#include "trace/clock.hpp"

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace vmterm::trace {
namespace {

__extension__ typedef unsigned __int128 u128;  // NOLINT(modernize-use-using): __extension__

std::uint64_t realtime_ns() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ULL +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

std::uint64_t counter() noexcept { return detail::read_counter(); }

#if defined(__x86_64__) || defined(__i386__)

/// The counter is the kernel's clocksource: then the kernel found it synchronised across CPUs
/// and constant in rate, which is what extrapolating from it needs.
bool counter_usable() noexcept {
  std::FILE* f =
      std::fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "re");
  if (f == nullptr) return false;
  char name[32] = {};
  const bool ok = std::fgets(name, sizeof name, f) != nullptr && std::strcmp(name, "tsc\n") == 0;
  std::fclose(f);
  return ok;
}
#else
bool counter_usable() noexcept { return false; }
#endif

}  // namespace

namespace detail {

std::uint64_t tsc_clock::renew() noexcept {
  const std::uint64_t t0 = ticks_();
  const std::uint64_t ns = realtime_();
  const std::uint64_t t1 = ticks_();
  std::unique_lock lock(renew_mutex_, std::try_to_lock);
  if (!lock.owns_lock() || usable_state_ < 0) return ns;  // another thread renews
  const std::uint64_t t = t0 + (t1 - t0) / 2;
  // The first sample, the clock stepped back, or the counter went back: start over.
  if (last_ticks_ == 0 || ns <= last_ns_ || t <= last_ticks_ || t1 < t0) {
    last_ticks_ = t;
    last_ns_ = ns;
    last_mult_ = 0;
    publish(t, ns, 0, 0);  // no anchor until the rate is known again
    return ns;
  }
  const std::uint64_t elapsed_ns = ns - last_ns_;
  if (elapsed_ns < anchor_ns) return ns;  // too short an interval to measure the rate on
  const std::uint64_t elapsed_ticks = t - last_ticks_;
  const auto mult =
      static_cast<std::uint64_t>((static_cast<u128>(elapsed_ns) << shift) / elapsed_ticks);
  // The read window (t1 - t0) bounds how far the anchor's pair may be apart (the thread may
  // have been preempted between the reads): at most 1/100,000 of the interval (the rate's
  // error) and at most 100 ns (the anchor's, also after a long idle interval).
  const auto window_ns = static_cast<std::uint64_t>((static_cast<u128>(t1 - t0) * mult) >> shift);
  const bool tight = window_ns <= std::min<std::uint64_t>(elapsed_ns / 100'000, max_window_ns);
  const bool agrees = last_mult_ != 0 && mult != 0 && mult <= last_mult_ + last_mult_ / 1000 &&
                      mult + last_mult_ / 1000 >= last_mult_;
  if (tight) {
    last_ticks_ = t;
    last_ns_ = ns;
    last_mult_ = mult;
  }
  std::uint64_t limit = 0;  // no anchor: every read goes to clock_gettime
  if (tight && agrees && mult != 0) {
    if (usable_state_ == 0) usable_state_ = usable_() ? 1 : -1;
    if (usable_state_ > 0) {
      limit = static_cast<std::uint64_t>((static_cast<u128>(anchor_ns) << shift) / mult);
    }
  }
  publish(t, ns, mult, limit);
  return ns;
}

void tsc_clock::publish(std::uint64_t ticks, std::uint64_t ns, std::uint64_t mult,
                        std::uint64_t limit) noexcept {
  const std::uint32_t seq = seq_.load(std::memory_order_relaxed);
  seq_.store(seq + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  base_ticks_.store(ticks, std::memory_order_relaxed);
  base_ns_.store(ns, std::memory_order_relaxed);
  mult_.store(mult, std::memory_order_relaxed);
  limit_.store(limit, std::memory_order_relaxed);
  seq_.store(seq + 2, std::memory_order_release);
}

}  // namespace detail

namespace detail {
constinit tsc_clock system_clock(&counter, &realtime_ns, &counter_usable);
}  // namespace detail

}  // namespace vmterm::trace
