#pragma once
/// vmterm-beat's keys and Lua scripts in Redis, in one place (pure text; the running beat
/// loads them through redis::script).
///
/// | key                              | type   | what |
/// |----------------------------------|--------|------|
/// | <prefix>:leader                  | string | the leader lease: the holder's token, PX <lease> |
/// | <prefix>:last_run_at             | hash   | entry -> due time (ms since the epoch) of the last
/// tick sent | | <prefix>:tick:<entry>:<due ms>   | string | a sent tick (the holder's token), EX
/// tick_ttl() |
///
/// Exactly once: send_tick_lua runs, atomically, for each tick of a batch, (1) the fencing check:
/// the lease key still holds this beat's token, else -1 (a paused or cut-off ex-leader steps down
/// and sends nothing); (2) `last_run_at` of the entry must be older than this due time, else 0 (a
/// newer or the same tick was sent, or missed ticks were coalesced past it); (3) `SET tick-key NX
/// EX`, else 0; then (4) the LPUSH of the message (and the SADD of kombu's binding), and (5) the
/// new `last_run_at`. Returns 1 when it sent.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace vmterm::schedule {

struct beat_keys {
  std::string prefix = "vmterm.beat";
  [[nodiscard]] std::string leader() const { return prefix + ":leader"; }
  [[nodiscard]] std::string last_run_at() const { return prefix + ":last_run_at"; }
  [[nodiscard]] std::string tick(std::string_view entry, std::int64_t due_ms) const {
    return prefix + ":tick:" + std::string(entry) + ":" + std::to_string(due_ms);
  }
};

/// How long a tick key lives: twice the time between ticks, at least 10 s and at most a day
/// (last_run_at, checked in the same script, refuses older ticks after that).
[[nodiscard]] inline std::chrono::seconds tick_ttl(std::chrono::milliseconds between) {
  using namespace std::chrono;
  const auto s = duration_cast<seconds>(between * 2) + seconds(1);
  return std::clamp(s, seconds(10), seconds(86400));
}

/// Sends a batch of ticks in one round trip (a beat with 10,000 entries at 1 s sends 10,000
/// ticks a second; one EVALSHA each would need as many round trips). KEYS[1] lease, KEYS[2]
/// last_run_at hash, then per tick i (from 0) KEYS[3+3i] its tick key, KEYS[4+3i] its queue
/// list, KEYS[5+3i] kombu's binding set; ARGV[1] token, then per tick ARGV[2+5i] entry,
/// ARGV[3+5i] due ms, ARGV[4+5i] tick TTL seconds, ARGV[5+5i] message envelope, ARGV[6+5i]
/// binding member. Ticks of one entry go oldest first. Returns -1 when the lease is not this
/// beat's (nothing sent), else an array with 1 (sent) or 0 (refused) per tick. A batch of one
/// has the layout of the single-tick call.
inline constexpr std::string_view send_tick_lua = R"lua(
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local out = {}
for i = 0, (#KEYS - 2) / 3 - 1 do
  local a, k = 2 + 5 * i, 3 + 3 * i
  local last = tonumber(redis.call('HGET', KEYS[2], ARGV[a]) or '-1')
  local sent = 0
  if last < tonumber(ARGV[a + 1]) and
     redis.call('SET', KEYS[k], ARGV[1], 'NX', 'EX', ARGV[a + 2]) then
    redis.call('SADD', KEYS[k + 2], ARGV[a + 4])
    redis.call('LPUSH', KEYS[k + 1], ARGV[a + 3])
    redis.call('HSET', KEYS[2], ARGV[a], ARGV[a + 1])
    sent = 1
  end
  out[#out + 1] = sent
end
return out
)lua";

/// KEYS[1] lease; ARGV[1] token, ARGV[2] lease ms. 1 when extended ("extend to", as redbeat).
inline constexpr std::string_view extend_lease_lua = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
)lua";

/// KEYS[1] lease; ARGV[1] token. 1 when it was ours and is gone.
inline constexpr std::string_view release_lease_lua = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua";

}  // namespace vmterm::schedule
