#pragma once
/// What to do with a taken message, and with its outcome: sans-I/O decisions (like
/// term::output_coalescer::decide), unit-tested without Redis. The worker does the I/O the
/// decision names.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "queue/message.hpp"

namespace vmterm::queue {

struct delivery_decision {
  enum class kind : std::uint8_t {
    run,          ///< run it now
    hold,         ///< keep it owned (unacked, under the lease) and ask again at `until` (eta)
    revoke,       ///< expired: store REVOKED (unless ignore_result), then ack; do not run
    dead_letter,  ///< poison: move to the dead-letter list with `reason`; never run
  };
  kind what = kind::run;
  timestamp until{};   ///< hold: the eta
  std::string reason;  ///< revoke: "task <id> expired at <iso> (received <iso>)"; dead_letter
};

/// Decides for a decoded message at `now`. `task_known` = the worker has a task of that name
/// (false -> dead_letter, kind unknown_task, "message <id>: no task named 'x' on this worker;
/// register it (--task x=COMMAND) or route it to a queue whose workers have it").
/// `revoked` = the id is in the worker's revoked set (-> revoke, as Celery's revoke).
/// Order as Celery's: unknown task (rejected before anything), revoked, expires (even for an
/// eta in the future), then eta.
[[nodiscard]] delivery_decision decide(const task_message& m, timestamp now, bool task_known,
                                       bool revoked = false);

/// A retry (Celery's Task.retry): the same id and body, retries + 1, eta = now + countdown,
/// parent_id = the task's id, root_id kept, a fresh delivery_tag, origin = `origin`,
/// redelivered cleared, priority and routing kept.
[[nodiscard]] task_message make_retry(const task_message& m, timestamp now,
                                      std::chrono::microseconds countdown, std::string_view origin);

/// When the ack is sent relative to the run (Celery's acks_late vs the default early ack).
enum class ack_mode : std::uint8_t { late, early };

/// What happens to a message after its task ran (or could not run).
enum class finish_action : std::uint8_t {
  ack,       ///< done (success, failure, revoked, retried: the retry is a new message)
  requeue,   ///< reject with requeue: put back (kombu: LPUSH, consumed last) and ack
  give_back  ///< warm shutdown: put back at the consuming end (RPUSH, redelivered), unrun
};

}  // namespace vmterm::queue
