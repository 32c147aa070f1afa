#pragma once
/// The consume loop: takes Celery messages (lib/queue's crash-safe consumer), decides (run,
/// hold until eta, revoke, dead-letter), runs tasks with at most `concurrency` at once and at
/// most `concurrency + prefetch` messages in flight, stores results and acks (after the run by
/// default), in batches. One run/<task> CONSUMER span per run. Warm shutdown gives back what
/// has not started.
///
/// Threading: everything runs on one executor; tasks that block run on the blocking pool and
/// post their outcome back.

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "batcher.hpp"
#include "options.hpp"
#include "queue/consumer.hpp"
#include "queue/result.hpp"
#include "queue/result_backend.hpp"
#include "task.hpp"
#include "task_registry.hpp"
#include "trace/span.hpp"
#include "trace/tracer.hpp"
#include "worker_metrics.hpp"

namespace vmterm::worker {

/// What the worker tells the event publisher (celery events); all optional.
struct task_observer {
  std::function<void(const queue::task_message&)> received;
  std::function<void(const queue::task_message&)> started;
  std::function<void(const queue::task_message&, const task_outcome&, double runtime)> finished;
  std::function<void(const queue::task_message&, const std::string& reason)> revoked;
};

/// A task as `inspect active` shows it.
struct active_info {
  std::string id, name, queue;
  std::string argsrepr, kwargsrepr;  ///< what the producer put in the message for display
  double started = 0;                ///< unix seconds
  bool redelivered = false;
};

class worker : public std::enable_shared_from_this<worker> {
 public:
  worker(boost::asio::any_io_executor ex, const run_settings& s, const task_registry& tasks,
         worker_metrics* metrics);

  /// Connects (broker consumer, result backend) and starts taking. `started` gets the first
  /// connection outcome (an error names the URL).
  void start(std::function<void(expected<void>)> started);
  /// Warm shutdown: stop taking, give back what has not started, wait up to
  /// --shutdown-timeout for running tasks (then stop them and give their messages back),
  /// write the last results and acks, release the lease. `done` runs once.
  void shutdown(std::function<void()> done);

  /// Remote control: add ids to the revoked set; with `terminate`, signal running shell tasks.
  /// Returns the ids that were running and signalled.
  std::vector<std::string> revoke(const std::vector<std::string>& ids, bool terminate, int sig);
  [[nodiscard]] std::vector<active_info> active() const;
  [[nodiscard]] std::uint64_t processed() const noexcept { return processed_; }
  [[nodiscard]] std::map<std::string, std::uint64_t> processed_by_task() const {
    return processed_by_task_;
  }
  [[nodiscard]] std::size_t active_count() const noexcept { return active_.size(); }
  [[nodiscard]] std::size_t held_count() const noexcept { return held_.size(); }
  [[nodiscard]] std::size_t ready_count() const noexcept { return ready_.size(); }
  [[nodiscard]] const queue::consumer_stats* consumer_stats() const noexcept;
  void set_observer(task_observer o) { observer_ = std::move(o); }
  /// Called when --max-tasks or --max-memory says the worker should recycle itself.
  void on_recycle(std::function<void(std::string why)> fn) { on_recycle_ = std::move(fn); }

 private:
  struct running {
    queue::delivery delivery;
    std::shared_ptr<running_task> task;
    trace::span span;
    std::chrono::steady_clock::time_point started;
    double started_unix = 0;
    bool terminated_for_shutdown = false;
    bool revoked_terminate = false;
  };
  using msg = queue::task_message;

  void take();
  void on_taken(expected<std::vector<queue::delivery>> r);
  void route(queue::delivery d);
  void start_ready();
  void start_one(queue::delivery d);
  void on_outcome(const std::string& tag, task_outcome o);
  void finish_outcome(const std::string& tag, task_outcome o);
  void finish(queue::delivery d, std::optional<queue::result_meta> result, bool ack,
              trace::context ctx = {});
  void store_revoked(queue::delivery d, const std::string& reason);
  /// An ETA message held until it is due, kept small: the message itself stays in Redis's
  /// unacked (owned under the lease) and is read back with consumer::fetch when due, so
  /// 100,000 held messages cost a few MiB here. 32 bytes for a uuid delivery tag.
  struct held_entry {
    std::int64_t due_us = 0;  ///< microseconds since the Unix epoch
    std::array<std::uint8_t, 16> uuid{};
    std::uint32_t long_tag = 0;  ///< 0: the tag is `uuid`; else its key in long_tags_
    std::uint32_t queue = 0;     ///< index into queue_names_
  };
  void hold(queue::delivery d, queue::timestamp until);
  [[nodiscard]] held_entry pop_held();
  void give_back_held();  ///< at shutdown: every held message, a batch at a time
  [[nodiscard]] std::string held_tag(const held_entry& e) const;
  void fetch_held(std::vector<held_entry> due,
                  std::function<void(expected<std::vector<queue::delivery>>)> done);
  void arm_hold_timer();
  void on_hold_timer();
  void maybe_shutdown_done();
  void release_slot();
  void check_recycle();
  [[nodiscard]] bool is_revoked(const std::string& id) const { return revoked_.count(id) > 0; }
  [[nodiscard]] std::size_t in_flight() const noexcept {
    return ready_.size() + active_.size() + finishing_;
  }

  boost::asio::any_io_executor ex_;
  run_settings settings_;
  const task_registry& tasks_;
  worker_metrics* metrics_;
  trace::tracer tracer_;
  std::shared_ptr<queue::consumer> consumer_;
  std::shared_ptr<redis::connection> results_conn_;
  std::unique_ptr<queue::result_backend> results_;
  std::shared_ptr<batcher<queue::result_meta>> result_batcher_;
  std::shared_ptr<batcher<std::string>> ack_batcher_;
  /// A finished task's result and ack together (queue::consumer::store_and_ack), when the
  /// result backend is on the broker's server; null otherwise (the two batchers above).
  struct result_ack {
    std::optional<queue::result_meta> result;
    std::string tag;  ///< "" = nothing to ack (acked early)
  };
  std::shared_ptr<batcher<result_ack>> store_ack_batcher_;
  std::deque<queue::delivery> ready_;
  std::vector<held_entry> held_;  ///< a min-heap on due_us
  std::unordered_map<std::uint32_t, std::string> long_tags_;
  std::uint32_t next_long_tag_ = 1;
  std::vector<std::string> queue_names_;
  bool fetching_held_ = false;
  std::unordered_map<std::string, running> active_;
  std::size_t finishing_ = 0;  ///< outcomes whose result/ack is being written
  boost::asio::steady_timer hold_timer_, take_retry_, shutdown_timer_;
  std::optional<queue::timestamp> hold_timer_at_;
  std::unordered_set<std::string> revoked_;
  std::deque<std::string> revoked_order_;
  task_observer observer_;
  std::function<void(std::string)> on_recycle_;
  std::function<void()> shutdown_done_;
  std::uint64_t processed_ = 0;
  std::map<std::string, std::uint64_t> processed_by_task_;
  bool taking_ = false, stopping_ = false, gave_back_ = false, releasing_ = false;
  bool recycle_requested_ = false;
  bool starting_ = false;  ///< inside start_ready()
  int giving_back_ = 0;    ///< give_back_held() batches in flight
};

}  // namespace vmterm::worker
