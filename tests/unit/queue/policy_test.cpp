// The sans-I/O decisions: run, hold until the eta, revoke when expired, dead-letter unknown
// tasks; Task.retry's new message.
#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "queue/policy.hpp"

using namespace vmterm::queue;
using namespace std::chrono_literals;

namespace {
task_message msg() {
  task_message m;
  m.task = "app.add";
  m.id = "id-1";
  return m;
}
timestamp at(std::string_view s) { return *parse_iso8601(s); }
}  // namespace

TEST_CASE("decide: run, hold, revoke, dead-letter", "[queue][policy]") {
  const auto now = at("2026-11-21T09:00:00+00:00");
  auto m = msg();
  CHECK(decide(m, now, true).what == delivery_decision::kind::run);

  m.eta = now + 30s;
  auto h = decide(m, now, true);
  CHECK(h.what == delivery_decision::kind::hold);
  CHECK(h.until == now + 30s);
  CHECK(decide(m, now + 30s, true).what == delivery_decision::kind::run);

  m.expires = now - 1s;  // expired even though the eta is ahead: revoked, not held
  auto r = decide(m, now, true);
  CHECK(r.what == delivery_decision::kind::revoke);
  CHECK(r.reason ==
        "task id-1 expired at 2026-11-21T08:59:59+00:00 (now 2026-11-21T09:00:00+00:00)");

  m.expires = now + 1h;
  CHECK(decide(m, now, true, true).what == delivery_decision::kind::revoke);
  CHECK(decide(m, now, true, true).reason == "task id-1 was revoked");

  auto u = decide(m, now, false);
  CHECK(u.what == delivery_decision::kind::dead_letter);
  CHECK(u.reason ==
        "message id-1: no task named 'app.add' on this worker; register it (--task "
        "app.add=COMMAND) or route it to a queue whose workers have it");
}

TEST_CASE("make_retry builds Task.retry's message", "[queue][policy]") {
  std::ifstream f(std::string(VMTERM_SHARED_DIR) + "/fixtures/celery/task-message.json");
  std::stringstream ss;
  ss << f.rdbuf();
  auto m = decode_message(ss.str());
  REQUIRE(m);
  m->traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  m->redelivered = true;
  const auto now = at("2026-11-21T09:56:07.280727+00:00");
  auto r = make_retry(*m, now, 1s, "w1@vm");
  CHECK(r.id == m->id);
  CHECK(r.retries == 1);
  CHECK(*r.eta == at("2026-11-21T09:56:08.280727+00:00"));
  CHECK(*r.parent_id == m->id);  // as the captured retry message: parent_id is its own id
  CHECK(r.root_id == m->root_id);
  CHECK(r.delivery_tag.empty());  // encode gives it a fresh one
  CHECK(r.origin == "w1@vm");
  CHECK_FALSE(r.redelivered);
  CHECK(r.traceparent.empty());
  CHECK(r.args == m->args);
  auto again = decode_message(encode_message(r));
  REQUIRE(again);
  CHECK(again->retries == 1);
  CHECK(again->delivery_tag != m->delivery_tag);
}
