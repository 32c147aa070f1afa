// The span clock: CLOCK_REALTIME extrapolated from the time-stamp counter (clock.hpp), driven
// here by a fake counter and a fake real-time clock, then the real one against clock_gettime.
#include "trace/clock.hpp"

#include <time.h>

#include <catch2/catch.hpp>
#include <cstdint>

namespace {

using vmterm::trace::detail::tsc_clock;

// A 2.5 GHz counter and a real-time clock that follow `fake_ns` (nanoseconds since the fake
// epoch below); a test moves time by setting fake_ns, or steps the real-time clock alone.
std::uint64_t fake_ns = 0;
std::int64_t realtime_step = 0;
int realtime_reads = 0;
bool usable = true;
int usable_asked = 0;
constexpr std::uint64_t epoch = 1'700'000'000'000'000'000ULL;

/// Ticks the counter gains on each read (a slow read: the time between the anchor's reads).
std::uint64_t read_ticks = 0;
std::uint64_t ticks_read = 0;
std::uint64_t fake_ticks() noexcept {
  return 1'000'000 + fake_ns * 5 / 2 + read_ticks * ticks_read++;
}
std::uint64_t fake_realtime() noexcept {
  ++realtime_reads;
  return static_cast<std::uint64_t>(static_cast<std::int64_t>(epoch + fake_ns) + realtime_step);
}
bool fake_usable() noexcept {
  ++usable_asked;
  return usable;
}

constexpr std::uint64_t ms = 1'000'000;

/// A clock on the fakes above, all reset (`counter_usable`: what the clocksource check says).
tsc_clock fresh_clock(bool counter_usable = true) {
  fake_ns = 0;
  realtime_step = 0;
  realtime_reads = 0;
  usable = counter_usable;
  usable_asked = 0;
  read_ticks = 0;
  ticks_read = 0;
  return tsc_clock(&fake_ticks, &fake_realtime, &fake_usable);
}

/// Within 1 ns (the rate is a 32-bit fixed-point fraction of a nanosecond per tick).
bool near(std::uint64_t a, std::uint64_t b) { return a + 1 >= b && b + 1 >= a; }

/// Reads at fake time `ns`; how many clock_gettime calls that read took goes to `reads`.
std::uint64_t read_at(tsc_clock& c, std::uint64_t ns, int& reads) {
  fake_ns = ns;
  const int before = realtime_reads;
  const auto v = c.now();
  reads = realtime_reads - before;
  return v;
}

}  // namespace

TEST_CASE("The span clock reads the counter once two intervals agree on its rate, exactly",
          "[trace][clock]") {
  tsc_clock c = fresh_clock();
  int reads = 0;
  // First sample, then one rate (not trusted alone), then a second that agrees.
  CHECK(near(read_at(c, 0, reads), epoch));
  CHECK(reads == 1);
  CHECK(near(read_at(c, 5 * ms, reads), epoch + 5 * ms));  // too short an interval: clock_gettime
  CHECK(reads == 1);
  CHECK(near(read_at(c, 10 * ms, reads), epoch + 10 * ms));
  CHECK(reads == 1);
  CHECK(near(read_at(c, 10 * ms + 1, reads), epoch + 10 * ms + 1));  // one rate only: clock_gettime
  CHECK(reads == 1);
  CHECK(usable_asked == 0);
  CHECK(near(read_at(c, 20 * ms, reads), epoch + 20 * ms));
  CHECK(reads == 1);
  CHECK(usable_asked == 1);  // asked once, when the counter is about to be used
  // Now from the counter alone, to the nanosecond (the fake rate is exact), for 10 ms.
  for (const std::uint64_t ns : {20 * ms + 1, 20 * ms + 400, 25 * ms + 123'457, 30 * ms - 1}) {
    CHECK(near(read_at(c, ns, reads), epoch + ns));
    CHECK(reads == 0);
  }
  // Past the anchor's 10 ms: one clock_gettime renews it.
  CHECK(near(read_at(c, 30 * ms + 2, reads), epoch + 30 * ms + 2));
  CHECK(reads == 1);
  CHECK(near(read_at(c, 31 * ms, reads), epoch + 31 * ms));
  CHECK(reads == 0);
  // A counter behind the anchor (another core's) is not extrapolated backwards.
  CHECK(near(read_at(c, 30 * ms, reads), epoch + 30 * ms));
  CHECK(reads == 1);
  CHECK(usable_asked == 1);
}

TEST_CASE("The span clock follows a step of the real-time clock within one anchor",
          "[trace][clock]") {
  tsc_clock c = fresh_clock();
  int reads = 0;
  for (std::uint64_t ns = 0; ns <= 20 * ms; ns += 10 * ms) (void)read_at(c, ns, reads);
  CHECK(near(read_at(c, 25 * ms, reads), epoch + 25 * ms));
  CHECK(reads == 0);
  realtime_step = 3'600'000'000'000;                         // an hour forward
  CHECK(near(read_at(c, 29 * ms, reads), epoch + 29 * ms));  // not seen before the anchor ends
  // The renewal sees a rate 0.1 % off: no anchor, clock_gettime until two rates agree.
  const auto stepped = [&](std::uint64_t ns) { return epoch + ns + 3'600'000'000'000ULL; };
  CHECK(near(read_at(c, 31 * ms, reads), stepped(31 * ms)));
  CHECK(reads == 1);
  CHECK(near(read_at(c, 32 * ms, reads), stepped(32 * ms)));
  CHECK(reads == 1);
  CHECK(near(read_at(c, 41 * ms, reads), stepped(41 * ms)));
  CHECK(reads == 1);
  CHECK(near(read_at(c, 51 * ms, reads), stepped(51 * ms)));
  CHECK(reads == 1);
  CHECK(near(read_at(c, 55 * ms, reads), stepped(55 * ms)));
  CHECK(reads == 0);
  // Backwards: start over (no anchor) at once.
  realtime_step = -1'000'000'000;
  CHECK(near(read_at(c, 62 * ms, reads), epoch + 62 * ms - 1'000'000'000));
  CHECK(reads == 1);
  CHECK(near(read_at(c, 63 * ms, reads), epoch + 63 * ms - 1'000'000'000));
  CHECK(reads == 1);
}

TEST_CASE("An anchor is not taken from reads more than 100 ns apart", "[trace][clock]") {
  tsc_clock c = fresh_clock();
  int reads = 0;
  // Each read of the counter moves it by 300 ticks: 120 ns at 2.5 GHz between the anchor's
  // two counter reads. Even after an hour's interval (where 1/100,000 would allow 36 ms).
  read_ticks = 300;
  const std::uint64_t hour = 3'600'000 * ms;
  for (const std::uint64_t ns : {0 * ms, hour, 2 * hour, 2 * hour + ms, 3 * hour}) {
    (void)read_at(c, ns, reads);
    CHECK(reads == 1);
  }
  CHECK(usable_asked == 0);  // never got as far as an anchor
  read_ticks = 200;          // 80 ns: taken
  (void)read_at(c, 4 * hour, reads);
  (void)read_at(c, 5 * hour, reads);
  CHECK(usable_asked == 1);
  (void)read_at(c, 5 * hour + ms, reads);
  CHECK(reads == 0);
}

TEST_CASE("Where the counter is not the kernel's clocksource every read is clock_gettime",
          "[trace][clock]") {
  tsc_clock c = fresh_clock(false);
  int reads = 0;
  for (std::uint64_t ns = 0; ns <= 100 * ms; ns += 3 * ms) {
    CHECK(near(read_at(c, ns, reads), epoch + ns));
    CHECK(reads == 1);
  }
  CHECK(usable_asked == 1);
}

TEST_CASE("The system span clock stays within 50 µs of clock_gettime(CLOCK_REALTIME)",
          "[trace][clock]") {
  // Bracketed by two clock_gettime reads; a read between them may be off only by the anchor's
  // extrapolation error (well under a microsecond), so 50 µs catches a wrong rate or anchor
  // while leaving room for a slow (sanitizer) build. 60 ms covers several anchors.
  const auto realtime = [] {
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ULL +
           static_cast<std::uint64_t>(ts.tv_nsec);
  };
  const std::uint64_t tolerance = 50'000;
  const std::uint64_t until = realtime() + 60'000'000;
  long reads = 0;
  long outside = 0;
  for (std::uint64_t now = realtime(); now < until; now = realtime()) {
    const auto ours = vmterm::trace::system_now_unix_nano();
    const auto after = realtime();
    if (ours + tolerance < now || ours > after + tolerance) ++outside;
    ++reads;
  }
  CHECK(reads > 100);
  CHECK(outside == 0);
}
