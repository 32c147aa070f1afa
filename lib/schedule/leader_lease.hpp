#pragma once
/// The beat's leader lease as an explicit state machine, sans I/O (the clock and the outcomes
/// of Redis calls are passed in), built like term::output_coalescer: the loop asks what to do
/// next and reports what happened.
///
/// A beat is `standby` until `SET <lease key> <token> NX PX <lease>` succeeds, then `leading`
/// while compare-and-extend calls (every lease/3) succeed. It may send only while leading AND
/// before `valid_until`: the time its last successful SET/extend was SENT plus the lease, less
/// a safety margin for clock-rate drift (lease/10). So a beat that is paused, or cut off from
/// Redis, stops sending by itself before another beat can acquire the expired key, and Redis
/// being lost steps it down at once (lost()). Not thread-safe: one executor.

#include <chrono>
#include <cstdint>

namespace vmterm::schedule {

enum class lease_state {
  standby,  ///< another beat leads, or none yet: try to acquire every `retry`
  leading,  ///< holds the lease: sends ticks, extends every lease/3
};

class leader_lease {
 public:
  using clock = std::chrono::steady_clock;

  struct action {
    enum class kind { acquire, extend };
    kind what = kind::acquire;
    clock::time_point at{};  ///< do it then
  };

  /// `lease`: the PX of the key (at least 30 ms); `retry`: how often a standby tries.
  leader_lease(std::chrono::milliseconds lease, std::chrono::milliseconds retry) noexcept;

  [[nodiscard]] lease_state state() const noexcept { return state_; }
  /// The next Redis call and when to make it.
  [[nodiscard]] action next(clock::time_point now) const noexcept;
  /// Whether a tick may be sent at `now`: leading and the lease surely not yet expired.
  [[nodiscard]] bool may_send(clock::time_point now) const noexcept;
  [[nodiscard]] clock::time_point valid_until() const noexcept { return valid_until_; }

  /// SET NX or the extend sent at `sent_at` succeeded.
  void held(clock::time_point sent_at) noexcept;
  /// SET NX found another holder (standby stays standby).
  void refused(clock::time_point now) noexcept;
  /// Leading, and the extend said another beat holds it, or Redis failed/was lost, or the
  /// fencing check of a send refused: step down at once.
  void lost(clock::time_point now) noexcept;
  /// Released on shutdown (DEL if ours): standby, no sending.
  void released() noexcept;

  [[nodiscard]] std::uint64_t renewals() const noexcept { return renewals_; }
  [[nodiscard]] std::uint64_t losses() const noexcept { return losses_; }

 private:
  std::chrono::milliseconds lease_, retry_, margin_;
  lease_state state_ = lease_state::standby;
  clock::time_point last_held_{};    ///< when the last successful call was sent
  clock::time_point valid_until_{};  ///< last_held_ + lease - margin
  clock::time_point next_try_{};     ///< standby: the next acquire
  std::uint64_t renewals_ = 0, losses_ = 0;
};

}  // namespace vmterm::schedule
