#pragma once
/// "Is this entry due now, and when should I ask again?", pure (the clock is passed in), built
/// like term::output_coalescer::decide and Celery's schedule.is_due(last_run_at) ->
/// (is_due, next_time_to_run). The beat's loop arms its steady_timer from `next`.

#include <cstdint>
#include <vector>

#include "schedule/entry.hpp"

namespace vmterm::schedule {

struct tick_decision {
  bool due = false;
  sys_ms tick{};  ///< when due: the due time to send (the latest one at or before now)
  /// When due: earlier due times after last_run_at that are folded into this one (Celery
  /// coalesces the runs missed while no beat ran into one); `coalesced_at_least` when counting
  /// stopped at the limit.
  std::uint64_t coalesced = 0;
  bool coalesced_at_least = false;
  sys_ms next{};  ///< the first due time after now: ask again then
};

/// `last_run_at`: the due time of the last tick sent (from Redis), or for an entry that never
/// ran, the time the beat first saw it (so, as in Celery, a new entry first runs at its next
/// due time, not at once).
[[nodiscard]] tick_decision decide(const entry& e, sys_ms last_run_at, sys_ms now,
                                   const time_zone& tz) noexcept;

/// The due times in (after, upto], oldest first, at most `limit` of them (a beat that took
/// over from a dead one sends the ticks missed during the takeover one by one).
[[nodiscard]] std::vector<sys_ms> due_between(const entry& e, sys_ms after, sys_ms upto,
                                              const time_zone& tz, std::size_t limit);

}  // namespace vmterm::schedule
