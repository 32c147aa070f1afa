#pragma once
/// Taking Celery messages from kombu's Redis layout, crash-safely, in batches; acking,
/// requeueing, dead-lettering; the worker's liveness lease; recovery of a dead worker's
/// messages; kombu's visibility-timeout restore. On lib/redis; use from one executor.
///
/// Why no instant loses a message on SIGKILL (the invariant: every message is always in
/// exactly one of: a bucket list, vmterm.hold.<w>, or unacked (+unacked_index, + the owner's
/// vmterm.owned.<w>)):
///  - take: ONE Lua script (atomic) pops up to N elements from vmterm.hold.<w> then from the
///    buckets in priority-major order and, in the same script, HSETs unacked, ZADDs
///    unacked_index and vmterm.owned.<w>. Either all of it happened or none of it did.
///  - the blocking wait (only when take found nothing): BLMOVE <bucket> vmterm.hold.<w>, one
///    per bucket key on its own connection, atomic: a woken message is in the hold list, which
///    belongs to the worker like its owned set; the take script, written behind the BLMOVE on
///    the same connection, runs as soon as it returns and drains it (no round trip between
///    the wake-up and the take). What such a take brings in while nobody waits is kept for the
///    next take, and given back by stop().
///  - ack/requeue/dead-letter: one MULTI or Lua script each, conditional on the tag still being
///    in unacked (HEXISTS), so a message restored meanwhile is never pushed twice.
///  - recovery: a worker's lease key vmterm.worker.<w> (PX lease_ttl, renewed every
///    renew_every). Every live worker, on its renewal tick, runs the recovery script: for each
///    member of vmterm.workers whose lease is gone, its hold list is moved into unacked (as a
///    take would) and its owned tags are returned with their entries; the worker marks them
///    redelivered (mark_redelivered, byte-exact as kombu) and a second script RPUSHes each to
///    its queue only if the tag is still in unacked (then ZREM/HDEL/ZREM owned). A crash between
///    the two leaves them owned by the dead worker: the next run redoes it. Kill at t=0 ->
///    lease gone by t <= lease_ttl -> back in the queue by lease_ttl + renew_every (3 s + 1 s by
///    default; the issue asks for <= 10 s).
///  - a restart under the same name (the default node name is celery@<host>): the new
///    incarnation renews the same lease at once, so no other worker would ever see the killed
///    one's lease gone; instead start() puts back (redelivered) everything its owned set still
///    holds before the first take, and take drains the hold list first.
///  - kombu's restore_visible, for entries of real Celery workers: under kombu's unacked_mutex
///    (SET NX PX 300000, compare-and-delete), entries older than visibility_timeout are
///    restored the same conditional way. vmterm's own held messages (ETA) never look old: the
///    renewal refreshes their unacked_index score every visibility_timeout/4, so neither vmterm
///    nor a real Celery worker restores a message whose vmterm owner is alive.
///
/// Idle cost: one EVALSHA per renew_every (lease + recovery), and one BLMOVE and one take per
/// bucket key per wait_timeout (default 10 s; a new message wakes it at once). The waiters'
/// commands are not traced (a span per idle wait would be noise), their takes included.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "queue/layout.hpp"
#include "queue/message.hpp"
#include "queue/result.hpp"
#include "redis/connection.hpp"

namespace vmterm::queue {

struct consumer_options {
  redis::connection_options redis;               ///< the broker (db of the URL)
  std::vector<std::string> queues = {"celery"};  ///< served in this order within a priority
  std::string worker = "celery@localhost";       ///< node name; unique per live worker
  queue::layout layout;
  std::chrono::milliseconds lease_ttl{3000};
  std::chrono::milliseconds renew_every{1000};
  std::chrono::seconds visibility_timeout{3600};  ///< kombu's default; for real Celery entries
  std::chrono::milliseconds wait_timeout{10000};  ///< BLMOVE timeout (re-issued)
  /// Run kombu's restore_visible at start and then every this often (kombu: ~100 s).
  std::chrono::seconds visible_restore_every{60};
  /// Upper bound of messages one recovery/restore step handles (it loops until done).
  std::size_t recovery_batch = 1000;
};

/// One taken message: its delivery tag (unacked's key), the raw envelope as stored, the queue
/// it came from, and the decoded message or why it is poison.
struct delivery {
  std::string tag;
  std::string raw;
  std::string queue;
  tl::expected<task_message, poison> message;
};

/// Counters for inspect/metrics.
struct consumer_stats {
  std::uint64_t taken = 0, acked = 0, requeued = 0, dead_lettered = 0;
  std::uint64_t recovered = 0;         ///< messages of dead vmterm workers put back
  std::uint64_t restored_visible = 0;  ///< kombu entries put back after the visibility timeout
  std::uint64_t lease_lost = 0;        ///< renewals that found our lease gone (paused > ttl)
  /// messages a killed predecessor under the same name still owned, put back at start
  std::uint64_t adopted = 0;
};

class consumer : public std::enable_shared_from_this<consumer> {
 public:
  using take_fn = std::function<void(expected<std::vector<delivery>>)>;
  using done_fn = std::function<void(expected<void>)>;

  [[nodiscard]] static std::shared_ptr<consumer> create(boost::asio::any_io_executor executor,
                                                        consumer_options options);
  ~consumer();

  /// Connects, takes the lease (registering in vmterm.workers), puts back what a killed
  /// predecessor under the same name still owns (stats().adopted; node names are unique among
  /// live workers, so at start everything owned is a predecessor's), runs one recovery and one
  /// kombu restore, then renews/recovers on its timer until stop().
  void start(done_fn done);

  /// Takes up to `max` messages at once (one EVALSHA); an empty vector when all buckets are
  /// empty. Poison elements that are not JSON objects are dead-lettered inside the script and
  /// come back as deliveries whose message is the poison (so the caller can log them); they
  /// need no ack.
  void take(std::size_t max, take_fn done);
  /// take(), but when nothing is there waits (BLMOVE on every bucket key) until something
  /// arrives, then takes up to `max`. Wakes within a millisecond of an LPUSH. stop() ends the
  /// wait with errc::operation_canceled. When the last take found the buckets empty, it waits
  /// at once (no take first).
  void take_wait(std::size_t max, take_fn done);

  /// Reads messages this worker holds (taken, not acked: e.g. ETA messages the worker keeps
  /// only as tag + due time) back from unacked, in one HMGET, and decodes them. `queues[i]` is
  /// the queue of tags[i]. Tags no longer in unacked (restored meanwhile) are left out.
  void fetch(std::vector<std::string> tags, std::vector<std::string> queues, take_fn done);
  /// Acks many tags in one round trip (MULTI ZREM unacked_index / HDEL unacked / ZREM owned).
  void ack(std::vector<std::string> tags, done_fn done);
  /// Stores `results` in db `results_db` of the broker's server (as result_backend::store_many:
  /// a stored SUCCESS is kept, SETEX with `expires` (0: none), PUBLISH) and then acks `tags`,
  /// in ONE script on the broker's connection: for a result backend on the broker's server
  /// (same host, port or socket, and user), one round trip instead of two, and no instant at
  /// which a message is acked before its result is stored.
  void store_and_ack(const std::vector<result_meta>& results, int results_db,
                     std::chrono::seconds expires, std::vector<std::string> tags, done_fn done);
  /// Reject with requeue (kombu's restore_by_tag(leftmost=True)): LPUSH back to its queue
  /// (consumed last), then acked, atomically; only if still in unacked.
  void requeue(const delivery& d, done_fn done);
  /// Warm-shutdown give-back: redelivered = true, RPUSH to its queue (consumed next), acked,
  /// atomically; only if still in unacked.
  void give_back(const std::vector<delivery>& ds, done_fn done);
  /// give_back() by tag, for messages held as tag only (ETA messages): their entries are read
  /// from unacked (one HMGET) and put back without decoding, in one script call. Tags no
  /// longer in unacked are skipped.
  void give_back_tags(std::vector<std::string> tags, done_fn done);
  /// Moves a poison message to layout.dead(queue) (LPUSH dead_letter_envelope(...)) and acks
  /// it, atomically. Reason as poison::reason.
  void dead_letter(const delivery& d, std::string reason, done_fn done);
  /// Publishes a new message (a retry) and acks `d` in one MULTI (Task.retry's
  /// publish-then-ack, without a window in which both or neither exist).
  void retry(const delivery& d, const task_message& next, done_fn done);

  /// Runs recovery of dead workers and kombu's restore now (also done on the timer).
  void recover_now(done_fn done);

  /// Stops taking: ends a blocking wait (its callback gets errc::operation_canceled) and
  /// refuses further take_wait. The lease keeps being renewed (running tasks stay owned) until
  /// release(). A warm shutdown: stop() -> give_back(prefetched + held) -> finish running
  /// tasks, ack -> release().
  void stop() noexcept;
  /// Leaves: the hold list goes back to its queues, the lease is deleted (renewal ends), and
  /// the worker leaves vmterm.workers when it owns nothing (else live workers recover what it
  /// still owns at their next renewal). Then its connections are closed: the consumer is
  /// done (what is still queued on it fails with errc::operation_canceled).
  void release(done_fn done);

  [[nodiscard]] const consumer_stats& stats() const noexcept;
  [[nodiscard]] const consumer_options& options() const noexcept;

  struct impl;

 private:
  explicit consumer(std::shared_ptr<impl> p);
  std::shared_ptr<impl> impl_;
};

/// A live worker as `inspect` lists it (from vmterm.workers + the lease values).
struct worker_info {
  std::string name;
  bool alive = false;       ///< its lease exists
  std::string lease_value;  ///< the JSON the worker put in its lease ("" when gone)
  std::int64_t owned = 0;   ///< ZCARD vmterm.owned.<name>
};
/// Lists the workers and their owned counts (one pipeline after one ZRANGE).
void list_workers(redis::connection& conn, const queue::layout& layout,
                  std::function<void(expected<std::vector<worker_info>>)> done);
/// LLEN of every bucket of each queue, summed per queue, plus unacked count, one pipeline.
struct queue_depth {
  std::string queue;
  std::int64_t ready = 0;  ///< sum over the four buckets
  std::int64_t dead = 0;   ///< LLEN vmterm.dead.<queue>
};
void queue_depths(redis::connection& conn, const queue::layout& layout,
                  std::vector<std::string> queues,
                  std::function<void(expected<std::vector<queue_depth>>)> done);

}  // namespace vmterm::queue
