// lib/queue against a real redis-server: take/ack in kombu's layout, priority order, batch take,
// the blocking wait, crash safety (a worker that took and died), kombu's visibility restore,
// held ETA messages kept while the lease lives, dead letters, results, and the producer's
// message read back by kombu 5.2.4 itself.
#include <array>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "process.hpp"
#include "queue/consumer.hpp"
#include "queue/policy.hpp"
#include "queue/producer.hpp"
#include "queue/result_backend.hpp"
#include "queue/tracing.hpp"
#include "redis_harness.hpp"
#include "redis_server.hpp"
#include "trace/in_memory_exporter.hpp"
#include "trace/processor.hpp"

using namespace vmterm;
using namespace vmterm::queue;
using namespace vmterm::test;
using namespace std::chrono_literals;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream f(std::string(VMTERM_SHARED_DIR) + "/fixtures/celery/" + name, std::ios::binary);
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct harness {
  redis_server server;
  redis_loop loop;
  std::shared_ptr<redis::connection> conn = loop.open(redis_options(server.url()));

  std::shared_ptr<consumer> make_consumer(std::string worker, consumer_options o = {}) {
    o.redis = redis_options(server.url());
    o.worker = std::move(worker);
    return consumer::create(loop.ioc.get_executor(), std::move(o));
  }
  std::shared_ptr<consumer> start(std::string worker, consumer_options o = {}) {
    auto c = make_consumer(std::move(worker), std::move(o));
    std::optional<expected<void>> r;
    c->start([&](expected<void> x) { r = std::move(x); });
    REQUIRE(loop.run_until([&] { return r.has_value(); }));
    INFO((*r ? std::string("ok") : r->error().message));
    REQUIRE(r->has_value());
    return c;
  }
  std::vector<delivery> take(consumer& c, std::size_t max) {
    std::optional<expected<std::vector<delivery>>> r;
    c.take(max, [&](expected<std::vector<delivery>> x) { r = std::move(x); });
    REQUIRE(loop.run_until([&] { return r.has_value(); }));
    INFO((*r ? std::string("ok") : r->error().message));
    REQUIRE(r->has_value());
    return std::move(**r);
  }
  void done(const std::function<void(consumer::done_fn)>& f) {
    std::optional<expected<void>> r;
    f([&](expected<void> x) { r = std::move(x); });
    REQUIRE(loop.run_until([&] { return r.has_value(); }));
    INFO((*r ? std::string("ok") : r->error().message));
    REQUIRE(r->has_value());
  }
  std::string send(producer& p, send_options o) {
    std::optional<expected<sent>> r;
    p.send(std::move(o), [&](expected<sent> x) { r = std::move(x); });
    REQUIRE(loop.run_until([&] { return r.has_value(); }));
    REQUIRE(r->has_value());
    return (*r)->id;
  }
  redis::reply cmd(redis::command c) {
    auto r = loop.exec(*conn, std::move(c));
    INFO((r ? std::string("ok") : r.error().message));
    REQUIRE(r.has_value());
    return *r;
  }
  std::int64_t num(redis::command c) { return cmd(std::move(c)).integer(); }
};

/// Calls of `command` that did not fail, from INFO commandstats (a NOSCRIPT answer, after
/// which the script is loaded and run again, is a failed call).
long succeeded_calls(const std::string& stats, const std::string& command) {
  const auto at = stats.find("cmdstat_" + command + ":calls=");
  if (at == std::string::npos) return 0;
  const long calls = std::stol(stats.substr(at + command.size() + 15));
  const auto f = stats.find("failed_calls=", at);
  return calls - (f == std::string::npos ? 0 : std::stol(stats.substr(f + 13)));
}

send_options task(std::string name, int priority = 0, std::string queue = "celery") {
  send_options o;
  o.task = std::move(name);
  o.priority = priority;
  o.queue = std::move(queue);
  return o;
}

/// Sends "first", "second" and "third" through `p`, starts consumer w1@vm and takes all three
/// (one take): the start of the cases about what happens to taken messages.
std::pair<std::shared_ptr<consumer>, std::vector<delivery>> three_taken(harness& h, producer& p) {
  for (const char* t : {"first", "second", "third"}) h.send(p, task(t));
  auto c = h.start("w1@vm");
  auto ds = h.take(*c, 10);
  REQUIRE(ds.size() == 3);
  return {c, std::move(ds)};
}

/// The result side of a case: a connection to db 1, a result_backend on it, and a result_waiter
/// on db 1, connected.
struct results_side {
  std::shared_ptr<redis::connection> rc;
  result_backend backend;
  std::shared_ptr<result_waiter> waiter;
};
results_side results_of(harness& h) {
  auto rc = h.loop.open(redis_options(h.server.url(1)));
  results_side r{rc, result_backend(rc),
                 result_waiter::create(h.loop.ioc.get_executor(), redis_options(h.server.url(1)))};
  h.done([&](auto cb) { r.waiter->async_connect(cb); });
  return r;
}

}  // namespace

TEST_CASE("take records kombu's unacked entry and our ownership; ack removes all three",
          "[integration][queue]") {
  harness h;
  producer p(h.conn);
  auto id1 = h.send(p, task("app.a"));
  auto id2 = h.send(p, task("app.b"));
  CHECK(h.num({"SISMEMBER", "_kombu.binding.celery", layout::binding_member("celery")}) == 1);
  auto c = h.start("w1@vm");
  auto ds = h.take(*c, 10);
  REQUIRE(ds.size() == 2);
  CHECK(ds[0].message->id == id1);  // FIFO: LPUSH at one end, taken from the other
  CHECK(ds[1].message->id == id2);
  CHECK(ds[0].queue == "celery");
  CHECK(h.num({"HLEN", "unacked"}) == 2);
  CHECK(h.num({"ZCARD", "unacked_index"}) == 2);
  CHECK(h.num({"ZCARD", "vmterm.owned.w1@vm"}) == 2);
  CHECK(h.num({"LLEN", "celery"}) == 0);
  // the entry is kombu's [envelope, exchange, routing_key], as QoS.append writes it
  CHECK(h.cmd({"HGET", "unacked", ds[0].tag}).text() == "[" + ds[0].raw + ", \"\", \"celery\"]");
  CHECK(ds[0].tag == ds[0].message->delivery_tag);
  h.done([&](auto cb) { c->ack({ds[0].tag, ds[1].tag}, cb); });
  CHECK(h.num({"HLEN", "unacked"}) == 0);
  CHECK(h.num({"ZCARD", "unacked_index"}) == 0);
  CHECK(h.num({"ZCARD", "vmterm.owned.w1@vm"}) == 0);
  CHECK(c->stats().acked == 2);
  CHECK(h.num({"EXISTS", "vmterm.worker.w1@vm"}) == 1);
  h.done([&](auto cb) { c->release(cb); });
  CHECK(h.num({"EXISTS", "vmterm.worker.w1@vm"}) == 0);
  CHECK(h.num({"ZCARD", "vmterm.workers"}) == 0);
}

TEST_CASE("a batch take records the whole batch at once, and a tag taken twice gets a fresh one",
          "[integration][queue]") {
  harness h;
  producer p(h.conn);
  h.send(p, task("app.a"));
  auto c = h.start("w1@vm");
  auto first = h.take(*c, 10);
  REQUIRE(first.size() == 1);
  // the same envelope three times more: its tag is in unacked already, and twice in the batch
  for (int i = 0; i < 3; ++i) h.cmd({"LPUSH", "celery", first[0].raw});
  h.send(p, task("app.b"));
  h.cmd({"CONFIG", "RESETSTAT"});
  auto ds = h.take(*c, 10);
  REQUIRE(ds.size() == 4);
  std::set<std::string> tags{first[0].tag};
  for (const auto& d : ds) tags.insert(d.tag);
  CHECK(tags.size() == 5);
  for (int i = 0; i < 3; ++i) CHECK(ds[static_cast<std::size_t>(i)].tag.starts_with("vmterm-"));
  CHECK(ds[3].tag == ds[3].message->delivery_tag);
  CHECK(h.num({"HLEN", "unacked"}) == 5);
  CHECK(h.num({"ZCARD", "unacked_index"}) == 5);
  CHECK(h.num({"ZCARD", "vmterm.owned.w1@vm"}) == 5);
  for (const auto& d : ds) {
    CHECK(h.cmd({"HGET", "unacked", d.tag}).text() == "[" + d.raw + ", \"\", \"celery\"]");
  }
  // unacked_index in seconds (kombu's time()), owned in milliseconds, both of now
  const auto now_s =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const double index_score = std::stod(h.cmd({"ZSCORE", "unacked_index", ds[3].tag}).text());
  const double owned_score = std::stod(h.cmd({"ZSCORE", "vmterm.owned.w1@vm", ds[3].tag}).text());
  CHECK(std::abs(index_score - now_s) < 5);
  CHECK(std::abs(owned_score / 1000 - now_s) < 5);
  // one HSET and one ZADD per set for the batch, not one per message
  const auto stats = h.cmd({"INFO", "commandstats"}).text();
  CHECK(succeeded_calls(stats, "hset") == 1);
  CHECK(succeeded_calls(stats, "zadd") == 2);
  CHECK(succeeded_calls(stats, "evalsha") == 1);
}

TEST_CASE("all four buckets are served in priority order, queues priority-major, in batches",
          "[integration][queue]") {
  harness h;
  producer p(h.conn);
  h.send(p, task("p9", 9));
  h.send(p, task("p5", 5));
  h.send(p, task("b0", 0, "b"));
  h.send(p, task("p0", 0));
  h.send(p, task("p7", 7));
  h.send(p, task("b3", 3, "b"));
  CHECK(h.num({"LLEN", std::string("celery\x06\x16") + "3"}) == 1);
  consumer_options o;
  o.queues = {"celery", "b"};
  auto c = h.start("w1@vm", o);
  auto ds = h.take(*c, 100);
  std::vector<std::string> order;
  for (auto& d : ds) order.push_back(d.message->task);
  CHECK(order == std::vector<std::string>{"p0", "b0", "p5", "b3", "p7", "p9"});

  // one EVALSHA takes up to `max`
  std::vector<send_options> batch(250, task("app.noop"));
  std::optional<expected<std::vector<sent>>> r;
  p.send_many(batch, [&](expected<std::vector<sent>> x) { r = std::move(x); });
  REQUIRE(h.loop.run_until([&] { return r.has_value(); }));
  REQUIRE(r->has_value());
  CHECK((*r)->size() == 250);
  CHECK(h.take(*c, 100).size() == 100);
  CHECK(h.take(*c, 1000).size() == 150);
  CHECK(h.take(*c, 10).empty());
  CHECK(h.num({"HLEN", "unacked"}) == 256);
}

TEST_CASE("take_wait wakes at once when a message arrives in any bucket", "[integration][queue]") {
  harness h;
  producer p(h.conn);
  auto c = h.start("w1@vm");
  for (int prio : {0, 6}) {
    std::optional<expected<std::vector<delivery>>> r;
    c->take_wait(10, [&](expected<std::vector<delivery>> x) { r = std::move(x); });
    h.loop.run_for(300ms);  // nothing there: it is blocked
    REQUIRE_FALSE(r.has_value());
    auto sent_at = std::chrono::steady_clock::now();
    h.send(p, task("late", prio));
    REQUIRE(h.loop.run_until([&] { return r.has_value(); }, 5s));
    auto waited = std::chrono::steady_clock::now() - sent_at;
    REQUIRE(r->has_value());
    REQUIRE((*r)->size() == 1);
    CHECK((**r)[0].message->task == "late");
    CHECK(waited < 200ms);  // (the bench measures the real figure; this bounds it on a busy box)
    CHECK(h.num({"LLEN", "vmterm.hold.w1@vm"}) == 0);
  }
  // stop() ends a pending wait
  std::optional<expected<std::vector<delivery>>> r;
  c->take_wait(10, [&](expected<std::vector<delivery>> x) { r = std::move(x); });
  h.loop.run_for(50ms);
  c->stop();
  REQUIRE(h.loop.run_until([&] { return r.has_value(); }, 5s));
  REQUIRE_FALSE(r->has_value());
  CHECK(r->error().code == std::errc::operation_canceled);
}

TEST_CASE(
    "what a waiter's take brings in while nobody waits is kept for the next take; stop() "
    "gives it back",
    "[integration][queue]") {
  harness h;
  producer p(h.conn);
  auto c = h.start("w1@vm");
  const std::string bucket6 = bucket_key("celery", 6);
  // Two buckets at once, while waiting for one message: each waiter's BLMOVE moves one into the
  // hold list and the take behind it brings one in; one answers the wait, the other is kept.
  auto two_at_once = [&] {
    std::optional<expected<std::vector<delivery>>> r;
    c->take_wait(1, [&](expected<std::vector<delivery>> x) { r = std::move(x); });
    h.loop.run_for(200ms);
    REQUIRE_FALSE(r.has_value());
    std::optional<expected<std::vector<sent>>> s;
    p.send_many({task("first", 0), task("second", 6)},
                [&](expected<std::vector<sent>> x) { s = std::move(x); });
    REQUIRE(h.loop.run_until([&] { return r.has_value() && s.has_value(); }, 5s));
    REQUIRE(r->has_value());
    REQUIRE((*r)->size() == 1);
    return std::move(**r);
  };
  auto got = two_at_once();
  REQUIRE(h.loop.run_until([&] { return h.num({"HLEN", "unacked"}) == 2; }, 5s));
  CHECK(h.num({"LLEN", "celery"}) + h.num({"LLEN", bucket6}) == 0);
  CHECK(h.num({"LLEN", "vmterm.hold.w1@vm"}) == 0);
  auto kept = h.take(*c, 10);  // served from what was kept
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].message->task != got[0].message->task);
  CHECK(c->stats().taken == 2);
  // Kept and not run when the consumer stops: back in its queue, redelivered.
  h.done([&](consumer::done_fn d) { c->ack({got[0].tag, kept[0].tag}, std::move(d)); });
  got = two_at_once();
  REQUIRE(h.loop.run_until([&] { return h.num({"HLEN", "unacked"}) == 2; }, 5s));
  c->stop();
  REQUIRE(h.loop.run_until(
      [&] {
        return h.num({"LLEN", "celery"}) + h.num({"LLEN", bucket6}) == 1;
      },
      5s));
  CHECK(h.num({"HLEN", "unacked"}) == 1);  // the one taken by the wait, not acked here
  auto back = h.cmd({"LINDEX", got[0].message->task == "first" ? bucket6 : "celery", "0"});
  auto m = decode_message(back.text());
  REQUIRE(m.has_value());
  CHECK(m->redelivered);
  CHECK(m->task != got[0].message->task);
}

TEST_CASE(
    "a waiter's take answered after a pause longer than the lease: what was recovered "
    "meanwhile is not run again",
    "[integration][queue][crash]") {
  harness h;
  producer p(h.conn);
  consumer_options fast;
  fast.lease_ttl = 1500ms;
  fast.renew_every = 300ms;
  // The paused worker runs on an io_context of its own: not running it is the pause.
  boost::asio::io_context paused_ioc(1);
  auto po = fast;
  po.redis = redis_options(h.server.url());
  po.worker = "paused@vm";
  auto paused = consumer::create(paused_ioc.get_executor(), po);
  std::optional<expected<void>> st;
  paused->start([&](expected<void> x) { st = std::move(x); });
  while (!st) paused_ioc.run_one_for(100ms);
  REQUIRE(st->has_value());
  std::optional<expected<std::vector<delivery>>> got;
  paused->take_wait(10, [&](expected<std::vector<delivery>> x) { got = std::move(x); });
  paused_ioc.run_for(200ms);  // its waiters' BLMOVE and take are written: now it stops
  REQUIRE_FALSE(got.has_value());
  auto id = h.send(p, task("app.once"));
  // Redis runs the paused worker's take at once; its lease lapses; a live worker recovers it.
  REQUIRE(h.loop.run_until([&] { return h.num({"ZCARD", "vmterm.owned.paused@vm"}) == 1; }, 5s));
  auto live = h.start("live@vm", fast);
  std::vector<delivery> ran;
  REQUIRE(h.loop.run_until(
      [&] {
        if (ran.empty()) ran = h.take(*live, 10);
        return !ran.empty();
      },
      10s));
  REQUIRE(ran.size() == 1);
  CHECK(ran[0].message->id == id);
  CHECK(ran[0].message->redelivered);
  // The paused worker resumes and reads its take's answer: the message is not its own any more.
  paused_ioc.run_for(1s);
  CHECK_FALSE(got.has_value());
  CHECK(h.num({"ZCARD", "vmterm.owned.paused@vm"}) == 0);
  CHECK(h.num({"ZCARD", "vmterm.owned.live@vm"}) == 1);
  CHECK(h.num({"EXISTS", "vmterm.worker.paused@vm"}) == 1);  // its lease is back
  paused->stop();
  paused_ioc.run_for(100ms);
  live->stop();
}

TEST_CASE("a worker that took messages and died: they are back within 10 s, redelivered",
          "[integration][queue][crash]") {
  harness h;
  producer p(h.conn);
  for (int i = 0; i < 5; ++i) h.send(p, task("app.t" + std::to_string(i)));
  consumer_options fast;
  fast.lease_ttl = 1500ms;
  fast.renew_every = 300ms;
  {
    auto dead = h.start("dead@vm", fast);
    CHECK(h.take(*dead, 3).size() == 3);
    // and one more caught by its blocking wait, still in its hold list when it died
    h.cmd({"LMOVE", "celery", "vmterm.hold.dead@vm", "RIGHT", "LEFT"});
    // SIGKILL: no release, no give-back; its lease simply stops being renewed
  }
  CHECK(h.num({"LLEN", "celery"}) == 1);
  CHECK(h.num({"HLEN", "unacked"}) == 3);
  auto killed_at = std::chrono::steady_clock::now();
  auto live = h.start("live@vm", fast);
  REQUIRE(h.loop.run_until([&] { return h.num({"LLEN", "celery"}) == 5; }, 10s));
  auto back_after = std::chrono::steady_clock::now() - killed_at;
  CHECK(back_after < 10s);
  CHECK(h.num({"HLEN", "unacked"}) == 0);
  CHECK(h.num({"EXISTS", "vmterm.owned.dead@vm"}) == 0);
  CHECK(h.num({"LLEN", "vmterm.hold.dead@vm"}) == 0);
  CHECK(h.num({"ZSCORE", "vmterm.workers", "dead@vm"}) == 0);  // nil -> 0: gone
  CHECK(live->stats().recovered == 4);
  auto ds = h.take(*live, 10);
  REQUIRE(ds.size() == 5);
  int redelivered = 0;
  for (auto& d : ds) {
    REQUIRE(d.message);
    if (d.message->redelivered) {
      ++redelivered;
      // as kombu's restore: both flags, in place
      auto j = json::parse(d.raw);
      CHECK(j["headers"]["redelivered"] == true);
      CHECK(j["properties"]["delivery_info"]["redelivered"] == true);
    }
  }
  CHECK(redelivered == 4);
}

TEST_CASE("restarted under the same name at once: what the killed one owned is put back at start",
          "[integration][queue][crash]") {
  // The default node name (celery@<host>) is the same after a restart, so the new incarnation
  // renews the same lease before it could ever expire: no other worker would recover the
  // killed one's messages. The SIGKILL loop lost hundreds of messages this way.
  harness h;
  producer p(h.conn);
  for (int i = 0; i < 5; ++i) h.send(p, task("app.t" + std::to_string(i)));
  {
    auto killed = h.start("same@vm");
    CHECK(h.take(*killed, 3).size() == 3);
    h.cmd({"LMOVE", "celery", "vmterm.hold.same@vm", "RIGHT", "LEFT"});
  }
  CHECK(h.num({"EXISTS", "vmterm.worker.same@vm"}) == 1);  // its lease still lives
  CHECK(h.num({"ZCARD", "vmterm.owned.same@vm"}) == 3);
  auto again = h.start("same@vm");
  CHECK(again->stats().adopted == 3);
  CHECK(h.num({"HLEN", "unacked"}) == 0);
  CHECK(h.num({"ZCARD", "vmterm.owned.same@vm"}) == 0);
  CHECK(h.num({"LLEN", "celery"}) == 4);
  auto ds = h.take(*again, 10);
  REQUIRE(ds.size() == 5);  // the held one first, then the four in the queue
  int redelivered = 0;
  for (auto& d : ds) {
    REQUIRE(d.message);
    redelivered += d.message->redelivered ? 1 : 0;
  }
  CHECK(redelivered == 3);
  h.done([&](auto cb) { again->ack({ds[0].tag, ds[1].tag, ds[2].tag, ds[3].tag, ds[4].tag}, cb); });
  CHECK(h.num({"HLEN", "unacked"}) == 0);
}

TEST_CASE("kombu's unacked entries are restored after the visibility timeout, under its mutex",
          "[integration][queue][kombu]") {
  harness h;
  auto entry = fixture("unacked-entry.json");
  auto tag = json::parse(entry)[0]["properties"]["delivery_tag"].get<std::string>();
  auto t = h.cmd({"TIME"});
  auto now = std::stod(t.elements()[0].text());
  // as a real Celery worker that took it 10 s ago and was then killed
  h.cmd({"HSET", "unacked", tag, entry});
  h.cmd({"ZADD", "unacked_index", std::to_string(now - 10), tag});
  // a fresh one (2 s old) stays
  h.cmd({"HSET", "unacked", "fresh-tag", entry});
  h.cmd({"ZADD", "unacked_index", std::to_string(now - 2), "fresh-tag"});

  SECTION("kombu holds the mutex: nothing is restored") {
    h.cmd({"SET", "unacked_mutex", "kombu-token", "PX", "300000"});
    consumer_options o;
    o.visibility_timeout = 5s;
    auto c = h.start("w1@vm", o);
    CHECK(h.num({"LLEN", "celery"}) == 0);
    CHECK(h.cmd({"GET", "unacked_mutex"}).text() == "kombu-token");
  }
  SECTION("restored with redelivered, the fresh one kept, the mutex released") {
    consumer_options o;
    o.visibility_timeout = 5s;
    auto c = h.start("w1@vm", o);
    REQUIRE(h.num({"LLEN", "celery"}) == 1);
    auto restored = h.cmd({"LINDEX", "celery", "0"}).text();
    auto want = mark_redelivered(python_json(json::parse(entry)[0]));
    REQUIRE(want);
    CHECK(restored == *want);
    CHECK(h.num({"HEXISTS", "unacked", tag}) == 0);
    CHECK(h.num({"HEXISTS", "unacked", "fresh-tag"}) == 1);
    CHECK(h.cmd({"GET", "unacked_mutex"}).is_nil());
    CHECK(c->stats().restored_visible == 1);
  }
}

TEST_CASE("a held ETA message is not restored while its owner's lease lives",
          "[integration][queue][eta]") {
  harness h;
  producer p(h.conn);
  auto o = task("app.later");
  o.countdown = 60s;
  h.send(p, o);
  consumer_options short_vt;
  short_vt.visibility_timeout = 2s;
  short_vt.renew_every = 250ms;
  short_vt.visible_restore_every = 1s;
  auto holder = h.start("holder@vm", short_vt);
  auto ds = h.take(*holder, 1);
  REQUIRE(ds.size() == 1);
  CHECK(decide(*ds[0].message,
               std::chrono::time_point_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now()),
               true)
            .what == delivery_decision::kind::hold);
  auto other = h.start("other@vm", short_vt);
  h.loop.run_for(4500ms);  // more than twice the visibility timeout, both restoring
  h.done([&](auto cb) { other->recover_now(cb); });
  CHECK(h.num({"LLEN", "celery"}) == 0);
  CHECK(h.num({"HEXISTS", "unacked", ds[0].tag}) == 1);
  auto score = std::stod(h.cmd({"ZSCORE", "unacked_index", ds[0].tag}).text());
  auto now = std::stod(h.cmd({"TIME"}).elements()[0].text());
  CHECK(score > now - 2);  // refreshed by the holder's renewals
  CHECK(other->stats().restored_visible == 0);
  CHECK(other->stats().recovered == 0);
}

TEST_CASE("poison elements go to the dead-letter list with the reason", "[integration][queue]") {
  harness h;
  h.cmd({"LPUSH", "celery", "definitely not json"});
  auto pickle = fixture("task-message.json");
  pickle.replace(pickle.find("application/json"), 16, "application/x-python-serialize");
  h.cmd({"LPUSH", "celery", pickle});
  auto c = h.start("w1@vm");
  auto ds = h.take(*c, 10);
  REQUIRE(ds.size() == 2);
  // the non-JSON one was dead-lettered inside the take script
  CHECK(ds[0].tag.empty());
  REQUIRE_FALSE(ds[0].message);
  CHECK(ds[0].message.error().kind == poison_kind::not_json);
  // the pickle one is taken, refused by decode, and dead-lettered by the worker
  REQUIRE_FALSE(ds[1].message);
  CHECK(ds[1].message.error().kind == poison_kind::unsupported_content);
  h.done([&](auto cb) { c->dead_letter(ds[1], ds[1].message.error().reason, cb); });
  CHECK(h.num({"LLEN", "vmterm.dead.celery"}) == 2);
  CHECK(h.num({"HLEN", "unacked"}) == 0);
  auto newest = json::parse(h.cmd({"LINDEX", "vmterm.dead.celery", "0"}).text());
  CHECK(newest["headers"]["x-vmterm-dead-reason"] == ds[1].message.error().reason);
  CHECK(newest["headers"]["x-vmterm-dead-worker"] == "w1@vm");
  auto oldest = json::parse(h.cmd({"LINDEX", "vmterm.dead.celery", "1"}).text());
  CHECK(oldest["content-type"] == "application/x-vmterm-undecodable");
  CHECK(*base64_decode(oldest["body"].get<std::string>()) == "definitely not json");
  CHECK(c->stats().dead_lettered == 2);
}

TEST_CASE("requeue puts it back at the producer end; give_back at the consuming end",
          "[integration][queue]") {
  harness h;
  producer p(h.conn);
  h.send(p, task("first"));
  h.send(p, task("second"));
  auto c = h.start("w1@vm");
  auto ds = h.take(*c, 1);
  REQUIRE(ds.size() == 1);
  h.done([&](auto cb) { c->requeue(ds[0], cb); });
  auto order = h.take(*c, 10);
  REQUIRE(order.size() == 2);
  CHECK(order[0].message->task == "second");
  CHECK(order[1].message->task == "first");
  CHECK(order[1].message->redelivered);
  h.done([&](auto cb) { c->give_back(order, cb); });
  CHECK(h.num({"HLEN", "unacked"}) == 0);
  CHECK(h.num({"LLEN", "celery"}) == 2);
}

TEST_CASE("give_back_tags puts held messages back by tag, each once, in one script call",
          "[integration][queue]") {
  harness h;
  producer p(h.conn);
  auto [c, ds] = three_taken(h, p);
  h.cmd({"CONFIG", "RESETSTAT"});
  h.done([&](auto cb) { c->give_back_tags({ds[0].tag, ds[1].tag, ds[1].tag, "no-such-tag"}, cb); });
  CHECK(succeeded_calls(h.cmd({"INFO", "commandstats"}).text(), "evalsha") == 1);
  CHECK(succeeded_calls(h.cmd({"INFO", "commandstats"}).text(), "hdel") == 1);
  CHECK(h.num({"LLEN", "celery"}) == 2);
  CHECK(h.num({"HLEN", "unacked"}) == 1);
  CHECK(h.num({"HEXISTS", "unacked", ds[2].tag}) == 1);
  CHECK(h.num({"ZCARD", "unacked_index"}) == 1);
  CHECK(h.num({"ZCARD", "vmterm.owned.w1@vm"}) == 1);
  // RPUSHed in the order given: consumed next, the last given first; redelivered as kombu marks
  auto again = h.take(*c, 10);
  REQUIRE(again.size() == 2);
  CHECK(again[0].message->task == "second");
  CHECK(again[1].message->task == "first");
  CHECK(again[0].message->redelivered);
  CHECK(again[1].message->redelivered);
  CHECK(again[1].raw == *mark_redelivered(ds[0].raw));
}

TEST_CASE("results: stored in Celery's JSON with a TTL, SUCCESS final, waited for",
          "[integration][queue][results]") {
  harness h;
  auto [rc, backend, waiter] = results_of(h);
  h.done([&](auto cb) { waiter->subscribe("t1", cb); });
  std::optional<expected<result_meta>> got;
  waiter->wait("t1", 5s, [&](expected<result_meta> r) { got = std::move(r); });

  result_meta ok;
  ok.task_id = "t1";
  ok.result = 5;
  ok.date_done =
      std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  std::optional<expected<bool>> stored;
  backend.store(ok, [&](expected<bool> r) { stored = r; });
  REQUIRE(h.loop.run_until([&] { return stored.has_value() && got.has_value(); }));
  CHECK(stored->value());
  REQUIRE(got->has_value());
  CHECK((*got)->result == 5);
  auto ttl = h.loop.exec(*rc, {"TTL", "celery-task-meta-t1"})->integer();
  CHECK(ttl > 86390);
  CHECK(ttl <= 86400);
  CHECK(h.loop.exec(*rc, {"GET", "celery-task-meta-t1"})->text() == encode_result(ok));

  // a later FAILURE (a duplicate run) does not overwrite the SUCCESS
  result_meta failed = ok;
  failed.status = task_state::failure;
  failed.exception = task_exception{"ValueError", "builtins", json::array({"boom"})};
  stored.reset();
  backend.store(failed, [&](expected<bool> r) { stored = r; });
  REQUIRE(h.loop.run_until([&] { return stored.has_value(); }));
  CHECK_FALSE(stored->value());
  CHECK(h.loop.exec(*rc, {"GET", "celery-task-meta-t1"})->text() == encode_result(ok));

  // already stored before the wait: the GET after subscribing finds it
  got.reset();
  h.done([&](auto cb) { waiter->subscribe("t1", cb); });
  waiter->wait("t1", 5s, [&](expected<result_meta> r) { got = std::move(r); });
  REQUIRE(h.loop.run_until([&] { return got.has_value(); }));
  CHECK(got->has_value());

  // nothing comes: a timeout that names the task
  got.reset();
  h.done([&](auto cb) { waiter->subscribe("t2", cb); });
  waiter->wait("t2", 200ms, [&](expected<result_meta> r) { got = std::move(r); });
  REQUIRE(h.loop.run_until([&] { return got.has_value(); }));
  REQUIRE_FALSE(got->has_value());
  CHECK(got->error().message ==
        "task t2: no result within 0.2 s (is a worker consuming its queue?)");

  // store_many: one script call for the batch; the stored SUCCESS among them stays final
  std::vector<result_meta> many(20, failed);
  for (int i = 0; i < 20; ++i) many[static_cast<std::size_t>(i)].task_id = "m" + std::to_string(i);
  many[7].task_id = "t1";
  h.loop.exec(*rc, {"CONFIG", "RESETSTAT"});
  std::optional<expected<std::vector<bool>>> sm;
  backend.store_many(many, [&](expected<std::vector<bool>> r) { sm = std::move(r); });
  REQUIRE(h.loop.run_until([&] { return sm.has_value(); }));
  REQUIRE(sm->has_value());
  REQUIRE((*sm)->size() == 20);
  for (std::size_t i = 0; i < 20; ++i) CHECK((*sm)->at(i) == (i != 7));
  CHECK(h.loop.exec(*rc, {"GET", "celery-task-meta-t1"})->text() == encode_result(ok));
  CHECK(h.loop.exec(*rc, {"GET", "celery-task-meta-m19"})->text() == encode_result(many[19]));
  CHECK(h.loop.exec(*rc, {"TTL", "celery-task-meta-m19"})->integer() > 86390);
  CHECK(succeeded_calls(h.loop.exec(*rc, {"INFO", "commandstats"})->text(), "evalsha") == 1);
}

TEST_CASE("store_and_ack: results in the results db and their acks in one script call",
          "[integration][queue][results]") {
  harness h;
  producer p(h.conn);
  auto [c, ds] = three_taken(h, p);
  auto [rc, backend, waiter] = results_of(h);
  // a SUCCESS stored before (a first run) stays final
  result_meta earlier;
  earlier.task_id = ds[2].message->id;
  earlier.result = "first run";
  h.loop.exec(*rc, {"SET", result_key(earlier.task_id), encode_result(earlier)});
  h.done([&](auto cb) { waiter->subscribe(ds[0].message->id, cb); });
  std::optional<expected<result_meta>> got;
  waiter->wait(ds[0].message->id, 5s, [&](expected<result_meta> r) { got = std::move(r); });

  std::vector<result_meta> results(3);
  for (std::size_t i = 0; i < 3; ++i) {
    results[i].task_id = ds[i].message->id;
    results[i].result = static_cast<int>(i);
  }
  h.cmd({"CONFIG", "RESETSTAT"});
  // the third is acked without a result (ignore_result); the first result's ack is left for later
  h.done([&](auto cb) {
    c->store_and_ack(results, 1, std::chrono::hours(1), {ds[1].tag, ds[2].tag}, cb);
  });
  CHECK(succeeded_calls(h.cmd({"INFO", "commandstats"}).text(), "evalsha") == 1);
  REQUIRE(h.loop.run_until([&] { return got.has_value(); }));
  REQUIRE(got->has_value());
  CHECK((*got)->result == 0);  // published
  CHECK(h.loop.exec(*rc, {"GET", result_key(ds[1].message->id)})->text() ==
        encode_result(results[1]));
  CHECK(h.loop.exec(*rc, {"GET", result_key(ds[2].message->id)})->text() == encode_result(earlier));
  const auto ttl = h.loop.exec(*rc, {"TTL", result_key(ds[0].message->id)})->integer();
  CHECK(ttl > 3590);
  CHECK(ttl <= 3600);
  CHECK(h.num({"EXISTS", result_key(ds[0].message->id)}) == 0);  // not in the broker's db
  CHECK(h.num({"HLEN", "unacked"}) == 1);
  CHECK(h.num({"HEXISTS", "unacked", ds[0].tag}) == 1);
  CHECK(h.num({"ZCARD", "unacked_index"}) == 1);
  CHECK(h.num({"ZCARD", "vmterm.owned.w1@vm"}) == 1);
  CHECK(c->stats().acked == 2);
  // the broker connection is still on its own db after the script's SELECTs
  h.send(p, task("fourth"));
  auto more = h.take(*c, 10);
  REQUIRE(more.size() == 1);
  CHECK(more[0].message->task == "fourth");
}

TEST_CASE("subscribe_own: one pattern for every id of the waiter; waits need no GET",
          "[integration][queue][results]") {
  harness h;
  auto [rc, backend, waiter] = results_of(h);
  h.done([&](auto cb) { waiter->subscribe_own(cb); });
  const auto a = waiter->next_id();
  const auto b = waiter->next_id();
  // uuid4s sharing their first 19 characters, version 4
  REQUIRE(a.size() == 36);
  CHECK(a != b);
  CHECK(a.substr(0, 19) == b.substr(0, 19));
  CHECK(a[14] == '4');
  CHECK(a.find_first_not_of("0123456789abcdef-") == std::string::npos);
  CHECK(std::string("89ab").find(a[19]) != std::string::npos);
  h.loop.exec(*rc, {"CONFIG", "RESETSTAT"});
  for (const auto& id : {a, b}) {
    std::optional<expected<result_meta>> got;
    waiter->wait(id, 5s, [&](expected<result_meta> r) { got = std::move(r); });
    result_meta m;
    m.task_id = id;
    m.result = id;
    std::optional<expected<bool>> stored;
    backend.store(m, [&](expected<bool> r) { stored = r; });
    REQUIRE(h.loop.run_until([&] { return stored.has_value() && got.has_value(); }));
    REQUIRE(got->has_value());
    CHECK((*got)->result == id);
  }
  const auto stats = h.loop.exec(*rc, {"INFO", "commandstats"})->text();
  CHECK(succeeded_calls(stats, "get") == 2);  // the store scripts' own GETs: none by the waiter
  CHECK(succeeded_calls(stats, "subscribe") == 0);
  CHECK(succeeded_calls(stats, "unsubscribe") == 0);
}

TEST_CASE("the producer's span is the message's parent and the LPUSH's parent",
          "[integration][queue][tracing]") {
  harness h;
  auto store = std::make_shared<trace::span_store>();
  trace::tracer_provider_options po;
  po.processor =
      std::make_unique<trace::simple_processor>(std::make_unique<trace::in_memory_exporter>(store));
  trace::tracer_provider provider(std::move(po));
  auto ro = redis_options(h.server.url());
  ro.tracer = provider.get_tracer("vmterm.redis");
  auto traced = h.loop.open(ro);
  store->clear();
  producer p(traced, {}, "gen1@vm", provider.get_tracer("vmterm.queue"));
  auto o = task("app.add");
  o.args = json::array({"secret-value"});
  auto id = h.send(p, o);
  auto spans = store->spans();
  const trace::span_data* prod = nullptr;
  const trace::span_data* client = nullptr;
  for (const auto& s : spans) {
    if (s.name == "apply_async/app.add") prod = &s;
    if (s.kind == trace::span_kind::client && s.name == "LPUSH") client = &s;
    for (const auto& a : s.attrs) {
      if (auto* v = std::get_if<std::string>(&a.value)) {
        CHECK(v->find("secret-value") == std::string::npos);
      }
    }
  }
  REQUIRE(prod != nullptr);
  REQUIRE(client != nullptr);
  CHECK(prod->kind == trace::span_kind::producer);
  CHECK(client->parent == prod->span);
  CHECK(client->trace == prod->trace);
  auto raw = h.cmd({"LINDEX", "celery", "0"}).text();
  auto m = decode_message(raw);
  REQUIRE(m);
  CHECK(m->id == id);
  auto parent = extract_parent(*m);
  CHECK(parent.span.span == prod->span);
  CHECK(parent.span.trace == prod->trace);
}

TEST_CASE("kombu 5.2.4 reads the producer's message as Celery would",
          "[integration][queue][celery]") {
  harness h;
  producer p(h.conn);
  auto o = task("app.add", 0);
  o.args = json::array({2, 3});
  o.kwargs = json::object({{"z", 4}});
  o.countdown = 10s;
  o.time_limit = 30;
  o.soft_time_limit = 20;
  auto id = h.send(p, o);
  auto r = run({"/usr/bin/python3", std::string(VMTERM_QUEUE_TEST_DIR) + "/kombu_read.py",
                h.server.url(), "celery"},
               run_options{.timeout = 60s});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = json::parse(r.out);
  CHECK(
      j["body"] ==
      json::parse(
          R"([[2, 3], {"z": 4}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}])"));
  CHECK(j["headers"]["task"] == "app.add");
  CHECK(j["headers"]["id"] == id);
  CHECK(j["headers"]["timelimit"] == json::parse("[30, 20]"));
  CHECK(j["headers"]["argsrepr"] == "(2, 3)");
  CHECK(j["headers"]["kwargsrepr"] == "{'z': 4}");
  CHECK(j["headers"]["eta"].get<std::string>().ends_with("+00:00"));
  CHECK(j["content_type"] == "application/json");
  CHECK(j["properties"]["correlation_id"] == id);
  CHECK(j["delivery_info"]["routing_key"] == "celery");
}

TEST_CASE("two consumers draining one queue take every message exactly once",
          "[integration][queue]") {
  harness h;
  producer p(h.conn);
  std::vector<send_options> batch(2000, task("app.noop"));
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].priority = static_cast<int>(i % 10);
  std::optional<expected<std::vector<sent>>> r;
  p.send_many(batch, [&](expected<std::vector<sent>> x) { r = std::move(x); });
  REQUIRE(h.loop.run_until([&] { return r.has_value(); }));
  REQUIRE(r->has_value());
  std::map<std::string, int> seen;
  std::array<std::shared_ptr<consumer>, 2> cs{h.start("a@vm"), h.start("b@vm")};
  std::size_t total = 0;
  std::function<void(std::size_t)> loop_one = [&](std::size_t i) {
    cs[i]->take_wait(64, [&, i](expected<std::vector<delivery>> ds) {
      if (!ds) return;
      std::vector<std::string> tags;
      for (auto& d : *ds) {
        ++seen[d.message->id];
        tags.push_back(d.tag);
      }
      total += ds->size();
      cs[i]->ack(std::move(tags), [&, i](expected<void> a) {
        if (a && total < 2000) loop_one(i);
      });
    });
  };
  loop_one(0);
  loop_one(1);
  REQUIRE(h.loop.run_until([&] { return total >= 2000; }, 30s));
  h.loop.run_for(100ms);
  CHECK(total == 2000);
  CHECK(seen.size() == 2000);
  for (const auto& [id, n] : seen) {
    if (n != 1) FAIL_CHECK(id << " taken " << n << " times");
  }
  CHECK(h.num({"HLEN", "unacked"}) == 0);
  CHECK(cs[0]->stats().taken > 0);
  CHECK(cs[1]->stats().taken > 0);
  for (auto& c : cs) c->stop();
}

TEST_CASE("Redis restarted under a waiting consumer: it consumes again", "[integration][queue]") {
  harness h;
  consumer_options o;
  o.redis.reconnect_max = 200ms;
  auto c = h.make_consumer("w1@vm", o);
  {
    std::optional<expected<void>> st;
    c->start([&](expected<void> x) { st = std::move(x); });
    REQUIRE(h.loop.run_until([&] { return st.has_value(); }));
    REQUIRE(st->has_value());
  }
  std::optional<expected<std::vector<delivery>>> got;
  std::function<void()> wait = [&] {
    c->take_wait(10, [&](expected<std::vector<delivery>> x) {
      if (!x || x->empty()) {  // a wait broken by the restart: wait again
        wait();
        return;
      }
      got = std::move(x);
    });
  };
  wait();
  h.loop.run_for(200ms);
  h.server.restart();
  auto answering = std::chrono::steady_clock::now();
  // a producer on a fresh connection, after Redis answers again
  auto pc = h.loop.open(redis_options(h.server.url()));
  producer p(pc);
  h.send(p, task("after.restart"));
  REQUIRE(h.loop.run_until([&] { return got.has_value(); }, 10s));
  CHECK(std::chrono::steady_clock::now() - answering < 2s);
  REQUIRE(got->has_value());
  CHECK((**got)[0].message->task == "after.restart");
  c->stop();
}

// A manual probe of the library's own cost (not a published figure; tests/bench/queue has the
// benchmarks): `integration_queue "[.probe]"`.
TEST_CASE("probe: drain 100000 messages with batched take and ack", "[.probe]") {
  harness h;
  producer p(h.conn);
  const std::size_t n = 100000;
  auto t0 = std::chrono::steady_clock::now();
  std::size_t sent_count = 0;
  for (std::size_t i = 0; i < n; i += 1000) {
    std::vector<send_options> batch(1000, task("app.noop"));
    std::optional<expected<std::vector<sent>>> r;
    p.send_many(batch, [&](expected<std::vector<sent>> x) { r = std::move(x); });
    REQUIRE(h.loop.run_until([&] { return r.has_value(); }, 60s));
    sent_count += (*r)->size();
  }
  auto t1 = std::chrono::steady_clock::now();
  auto c = h.start("probe@vm");
  std::size_t total = 0;
  bool failed = false;
  std::function<void()> step = [&] {
    c->take(500, [&](expected<std::vector<delivery>> ds) {
      if (!ds || ds->empty()) {
        failed = !ds;
        return;
      }
      std::vector<std::string> tags;
      for (auto& d : *ds) tags.push_back(d.tag);
      total += ds->size();
      c->ack(std::move(tags), [&](expected<void>) {});
      step();
    });
  };
  auto t2 = std::chrono::steady_clock::now();
  step();
  REQUIRE(h.loop.run_until([&] { return total >= n || failed; }, 120s));
  h.loop.run_until([&] { return h.num({"HLEN", "unacked"}) == 0; }, 30s);
  auto t3 = std::chrono::steady_clock::now();
  auto secs = [](auto d) { return std::chrono::duration<double>(d).count(); };
  WARN("enqueue (send_many 1000): " << static_cast<double>(sent_count) / secs(t1 - t0)
                                    << "/s; take(500)+ack: "
                                    << static_cast<double>(total) / secs(t3 - t2) << "/s");
  CHECK(total == n);
}
