// The leader lease state machine with a fake clock.
#include "schedule/leader_lease.hpp"

#include <catch2/catch.hpp>

using namespace vmterm::schedule;
using namespace std::chrono_literals;
using kind = leader_lease::action::kind;

namespace {
const leader_lease::clock::time_point t0{std::chrono::seconds(1000)};
}

TEST_CASE("a standby tries to acquire now, then every retry interval", "[schedule]") {
  leader_lease l(3000ms, 500ms);
  CHECK(l.state() == lease_state::standby);
  CHECK(l.next(t0).what == kind::acquire);
  CHECK(l.next(t0).at == t0);
  CHECK_FALSE(l.may_send(t0));
  l.refused(t0);
  CHECK(l.state() == lease_state::standby);
  CHECK(l.next(t0 + 100ms).at == t0 + 500ms);
}

TEST_CASE("a leader sends until its lease, less a margin, from when the call was sent",
          "[schedule]") {
  leader_lease l(3000ms, 500ms);
  l.held(t0);
  CHECK(l.state() == lease_state::leading);
  CHECK(l.may_send(t0 + 2699ms));
  CHECK_FALSE(l.may_send(t0 + 2700ms));  // 3000 - 300 margin: stops before the key expires
  CHECK(l.next(t0).what == kind::extend);
  CHECK(l.next(t0).at == t0 + 1000ms);
  l.held(t0 + 1000ms);
  CHECK(l.renewals() == 1);
  CHECK(l.may_send(t0 + 3699ms));
}

TEST_CASE("a leader that loses the lease or Redis steps down at once", "[schedule]") {
  leader_lease l(3000ms, 500ms);
  l.held(t0);
  l.lost(t0 + 10ms);
  CHECK(l.state() == lease_state::standby);
  CHECK_FALSE(l.may_send(t0 + 11ms));
  CHECK(l.losses() == 1);
  CHECK(l.next(t0 + 10ms).at == t0 + 510ms);
  l.held(t0 + 600ms);
  l.refused(t0 + 700ms);  // an extend that found another holder
  CHECK(l.state() == lease_state::standby);
  CHECK(l.losses() == 2);
}

TEST_CASE("releasing stops sending without counting a loss", "[schedule]") {
  leader_lease l(3000ms, 500ms);
  l.held(t0);
  l.released();
  CHECK_FALSE(l.may_send(t0));
  CHECK(l.losses() == 0);
}
