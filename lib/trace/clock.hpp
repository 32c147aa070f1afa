#pragma once
/// Time for spans: Unix nanoseconds from an injectable clock, so tests and samplers can use a
/// fake one.

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>

namespace vmterm::trace {

/// Returns Unix nanoseconds. Must not throw; may be called from any thread at once, so a fake
/// clock shared between threads must synchronise itself. An empty clock_fn means the system clock.
using clock_fn = std::function<std::uint64_t()>;

namespace detail {

/// CLOCK_REALTIME extrapolated from the CPU's time-stamp counter. A span reads the clock twice;
/// clock_gettime through the vDSO costs 25-40 ns on the VMs vmterm runs on (most of it the
/// serialising read of the counter and the conversion), a plain `rdtsc` about 12. So the
/// clock reads the counter and converts it with an anchor — a (counter, CLOCK_REALTIME) pair
/// read back to back, and the nanoseconds per tick measured between the last two anchors —
/// which it renews every 10 ms (one reader pays a clock_gettime then). Readers share the anchor
/// through a sequence lock: no write, no lock, on the common read.
///
/// Correctness: the rate is measured against CLOCK_REALTIME itself over the last interval, so
/// it follows NTP's slewing; with a read window of tens of ns over an interval of 10 ms, the
/// extrapolation is off by well under 0.1 µs (OTLP receivers such as Jaeger keep
/// microseconds). A rate that disagrees with the previous one by more than 0.1 % (the clock
/// was stepped, or the process was stopped between the two reads of an anchor) is not used:
/// reads go to clock_gettime until two intervals agree again. A counter value behind the
/// anchor (another core's counter, a stale anchor) or past its 10 ms also goes to
/// clock_gettime. Where the counter is not the kernel's clocksource (it then may not be
/// synchronised across cores or constant in rate), or on a CPU without one, every read is a
/// clock_gettime.
///
/// The counter and the real-time clock are parameters so tests can drive it.
class tsc_clock {
 public:
  using read_fn = std::uint64_t (*)() noexcept;
  /// `usable` is asked once, when the first rate is known (not on the first read, so a
  /// short-lived process that reads the clock a few times never pays for it).
  using usable_fn = bool (*)() noexcept;
  constexpr tsc_clock(read_fn ticks, read_fn realtime, usable_fn usable) noexcept
      : ticks_(ticks), realtime_(realtime), usable_(usable) {}

  [[nodiscard]] std::uint64_t now() noexcept { return now_at(ticks_()); }
  /// now() with the counter already read (`t`, from the same counter as `ticks`): the system
  /// clock reads it inline.
  [[nodiscard]] std::uint64_t now_at(std::uint64_t t) noexcept {
    for (int attempt = 0; attempt < 2; ++attempt) {
      const std::uint32_t seq = seq_.load(std::memory_order_acquire);
      if ((seq & 1U) != 0) break;
      const std::uint64_t base_ticks = base_ticks_.load(std::memory_order_relaxed);
      const std::uint64_t base_ns = base_ns_.load(std::memory_order_relaxed);
      const std::uint64_t mult = mult_.load(std::memory_order_relaxed);
      const std::uint64_t limit = limit_.load(std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_acquire);
      if (seq_.load(std::memory_order_relaxed) != seq) continue;
      const std::uint64_t delta = t - base_ticks;  // huge when t is behind the anchor
      if (delta >= limit) break;
      // delta < limit = (anchor_ns << shift) / mult: the product is below 2^56. Rounded.
      return base_ns + ((delta * mult + (std::uint64_t{1} << (shift - 1))) >> shift);
    }
    return renew();
  }

  /// How long an anchor is used, and the shortest interval a rate is measured over.
  static constexpr std::uint64_t anchor_ns = 10'000'000;

 private:
  static constexpr int shift = 32;  ///< mult is nanoseconds per tick * 2^32
  /// The widest read window (counter, clock_gettime, counter) an anchor is taken from.
  static constexpr std::uint64_t max_window_ns = 100;

  /// The slow path: clock_gettime, and a new anchor when it is time for one.
  std::uint64_t renew() noexcept;
  /// Writes the anchor readers use (limit 0: none), under the sequence lock.
  void publish(std::uint64_t ticks, std::uint64_t ns, std::uint64_t mult,
               std::uint64_t limit) noexcept;

  read_fn ticks_;
  read_fn realtime_;
  usable_fn usable_;

  std::atomic<std::uint32_t> seq_{0};  ///< odd while the anchor below is being written
  std::atomic<std::uint64_t> base_ticks_{0};
  std::atomic<std::uint64_t> base_ns_{0};
  std::atomic<std::uint64_t> mult_{0};
  std::atomic<std::uint64_t> limit_{0};  ///< ticks past base_ticks the anchor covers; 0 = none

  /// Writers' side, under `renew_mutex_` (a reader that finds it taken reads clock_gettime).
  std::mutex renew_mutex_;
  std::uint64_t last_ticks_ = 0;  ///< the previous sample (0: none yet)
  std::uint64_t last_ns_ = 0;
  std::uint64_t last_mult_ = 0;  ///< the rate over the interval before it (0: none yet)
  int usable_state_ = 0;         ///< 0 not asked yet, 1 usable, -1 never
};

/// The CPU's time-stamp counter (0 where there is none: the clock then always reads
/// clock_gettime).
[[nodiscard]] inline std::uint64_t read_counter() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  return __builtin_ia32_rdtsc();
#else
  return 0;
#endif
}

/// The process's clock behind system_now_unix_nano (clock.cpp).
extern tsc_clock system_clock;

}  // namespace detail

/// The wall clock (CLOCK_REALTIME) in Unix nanoseconds, read cheaply: see detail::tsc_clock.
/// Within about 0.1 µs of clock_gettime(CLOCK_REALTIME) while the clock runs smoothly; follows
/// a step of the clock within 10 ms. Inline: a span reads it twice.
[[nodiscard]] inline std::uint64_t system_now_unix_nano() noexcept {
  return detail::system_clock.now_at(detail::read_counter());
}

/// Reads `clock`, or the system clock when it is empty.
[[nodiscard]] inline std::uint64_t now_unix_nano(const clock_fn& clock) noexcept {
  return clock ? clock() : system_now_unix_nano();
}

}  // namespace vmterm::trace
