#include "schedule/evaluator.hpp"

namespace vmterm::schedule {

using namespace std::chrono;

namespace {
constexpr std::uint64_t count_limit = 10'000;
}

tick_decision decide(const entry& e, sys_ms last_run_at, sys_ms now, const time_zone& tz) noexcept {
  tick_decision d;
  const auto first = next_due(e, last_run_at, tz);
  if (first > now) {
    d.next = first;
    return d;
  }
  d.due = true;
  if (const auto* i = std::get_if<interval>(&e.when)) {
    const auto p = i->every;
    const auto latest = next_due(e, now - p, tz);  // the grid point at or before now
    d.tick = latest;
    d.coalesced = static_cast<std::uint64_t>((latest - first) / p);
    d.next = latest + p;
    return d;
  }
  // Crontab: walk forward, counting; far behind, jump close to now first.
  sys_ms tick = first;
  std::uint64_t n = 0;
  for (auto x = next_due(e, tick, tz); x <= now; x = next_due(e, tick, tz)) {
    if (++n >= count_limit) {
      d.coalesced_at_least = true;
      for (auto back : {hours(1), hours(24), hours(24 * 32), hours(24 * 367)}) {
        const auto y = next_due(e, now - back, tz);
        if (y <= now && y > tick) {
          tick = y;
          break;
        }
      }
      for (auto z = next_due(e, tick, tz); z <= now; z = next_due(e, tick, tz)) tick = z;
      break;
    }
    tick = x;
  }
  d.tick = tick;
  d.coalesced = n;
  d.next = next_due(e, tick, tz);
  return d;
}

std::vector<sys_ms> due_between(const entry& e, sys_ms after, sys_ms upto, const time_zone& tz,
                                std::size_t limit) {
  std::vector<sys_ms> out;
  for (auto t = next_due(e, after, tz); t <= upto && out.size() < limit; t = next_due(e, t, tz)) {
    out.push_back(t);
  }
  return out;
}

}  // namespace vmterm::schedule
