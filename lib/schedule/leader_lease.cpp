#include "schedule/leader_lease.hpp"

#include <algorithm>

namespace vmterm::schedule {

using namespace std::chrono;

leader_lease::leader_lease(milliseconds lease, milliseconds retry) noexcept
    : lease_(std::max(lease, milliseconds(30))),
      retry_(std::max(retry, milliseconds(1))),
      margin_(lease_ / 10) {}

leader_lease::action leader_lease::next(clock::time_point now) const noexcept {
  if (state_ == lease_state::leading) {
    return {action::kind::extend, std::max(now, last_held_ + lease_ / 3)};
  }
  return {action::kind::acquire, std::max(now, next_try_)};
}

bool leader_lease::may_send(clock::time_point now) const noexcept {
  return state_ == lease_state::leading && now < valid_until_;
}

void leader_lease::held(clock::time_point sent_at) noexcept {
  if (state_ == lease_state::leading) ++renewals_;
  state_ = lease_state::leading;
  last_held_ = sent_at;
  valid_until_ = sent_at + lease_ - margin_;
}

void leader_lease::refused(clock::time_point now) noexcept {
  if (state_ == lease_state::leading) {
    lost(now);
    return;
  }
  next_try_ = now + retry_;
}

void leader_lease::lost(clock::time_point now) noexcept {
  if (state_ == lease_state::leading) ++losses_;
  state_ = lease_state::standby;
  valid_until_ = {};
  next_try_ = now + retry_;
}

void leader_lease::released() noexcept {
  state_ = lease_state::standby;
  valid_until_ = {};
}

}  // namespace vmterm::schedule
