#pragma once
/// Every Redis key lib/queue reads or writes, in one place. kombu's keys keep kombu's names
/// (so real Celery workers, `celery inspect` and vmterm see one state); vmterm's own keys all
/// start with "vmterm.". An optional prefix (kombu's global_keyprefix) goes before all of them.
///
/// | key                          | type   | what |
/// |------------------------------|--------|------|
/// | <queue>, <queue>\x06\x16{3,6,9} | list | kombu's priority buckets (producers LPUSH, consumers
/// take from the right) | | _kombu.binding.<queue>       | set    |
/// "<queue>\x06\x16\x06\x16<queue>", SADDed once by a producer | | unacked                      |
/// hash   | kombu: delivery_tag -> [envelope, exchange, routing_key] | | unacked_index | zset   |
/// kombu: delivery_tag scored by receipt time (vmterm refreshes it while it holds a message) | |
/// unacked_mutex                | string | kombu's restore lock (SET NX PX 300000) | |
/// vmterm.worker.<name>         | string | a worker's liveness lease (SET PX, renewed every ~1 s);
/// value: JSON info | | vmterm.workers               | zset   | every worker that may own messages,
/// scored by its last renewal (ms) | | vmterm.owned.<name>          | zset   | delivery tags a
/// worker owns (taken, not acked), scored by the last unacked_index refresh (ms) | |
/// vmterm.hold.<name>           | list   | a worker's blocking-wait landing list (BLMOVE target),
/// drained into unacked by the take script | | vmterm.dead.<queue>          | list   | dead letters
/// (poison messages), newest first, reason in headers.x-vmterm-dead-reason | |
/// celery-task-meta-<id>        | string | results (in the result backend's db) |

#include <string>
#include <string_view>

namespace vmterm::queue {

struct layout {
  std::string prefix;  ///< kombu's global_keyprefix; "" by default

  [[nodiscard]] std::string key(std::string_view name) const { return prefix + std::string(name); }
  [[nodiscard]] std::string unacked() const { return key("unacked"); }
  [[nodiscard]] std::string unacked_index() const { return key("unacked_index"); }
  [[nodiscard]] std::string unacked_mutex() const { return key("unacked_mutex"); }
  [[nodiscard]] std::string binding(std::string_view queue) const {
    return key("_kombu.binding.") + std::string(queue);
  }
  /// "<queue>\x06\x16\x06\x16<queue>": the member kombu's _queue_bind adds for the default
  /// direct exchange ("" routing_key pattern).
  [[nodiscard]] static std::string binding_member(std::string_view queue);
  [[nodiscard]] std::string lease(std::string_view worker) const {
    return key("vmterm.worker.") + std::string(worker);
  }
  [[nodiscard]] std::string workers() const { return key("vmterm.workers"); }
  [[nodiscard]] std::string owned(std::string_view worker) const {
    return key("vmterm.owned.") + std::string(worker);
  }
  [[nodiscard]] std::string hold(std::string_view worker) const {
    return key("vmterm.hold.") + std::string(worker);
  }
  [[nodiscard]] std::string dead(std::string_view queue) const {
    return key("vmterm.dead.") + std::string(queue);
  }
};

}  // namespace vmterm::queue
