#pragma once
/// vmterm-worker's Prometheus metrics (vmterm_worker_*). Task names are labels: only names the
/// worker has (a message for an unknown task is dead-lettered under task="unknown"), so the
/// label set stays bounded. Never an argument value.

#include <string_view>

#include "metrics/counter.hpp"
#include "metrics/family.hpp"
#include "metrics/gauge.hpp"
#include "metrics/histogram.hpp"
#include "metrics/registry.hpp"

namespace vmterm::worker {

struct worker_metrics {
  explicit worker_metrics(metrics::registry& r)
      : received(r.add_counter("vmterm_worker_tasks_received_total",
                               "task messages taken from the queue", {"task"})),
        succeeded(
            r.add_counter("vmterm_worker_tasks_succeeded_total", "tasks that succeeded", {"task"})),
        failed(r.add_counter("vmterm_worker_tasks_failed_total", "tasks that failed", {"task"})),
        retried(r.add_counter("vmterm_worker_tasks_retried_total", "tasks sent again for a retry",
                              {"task"})),
        revoked(r.add_counter("vmterm_worker_tasks_revoked_total",
                              "tasks revoked or expired, not run", {"task"})),
        dead_lettered(r.add_counter("vmterm_worker_dead_letters_total",
                                    "poison messages moved to the dead-letter list", {"kind"})),
        redeliveries(r.add_counter("vmterm_worker_redeliveries_total",
                                   "messages received with redelivered set", {"task"})),
        runtime(r.add_histogram("vmterm_worker_task_runtime_seconds", "how long tasks ran",
                                {"task"},
                                {0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60, 300})),
        queue_wait(r.add_histogram("vmterm_worker_queue_wait_seconds",
                                   "from the message's send time (or its eta) to the task's start",
                                   {}, {0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 60})),
        prefetched(r.add_gauge("vmterm_worker_prefetched_messages",
                               "messages taken and waiting for a free slot")),
        held(r.add_gauge("vmterm_worker_held_messages",
                         "messages with an eta in the future, held until due")),
        active(r.add_gauge("vmterm_worker_active_tasks", "tasks running now")) {}

  metrics::family<metrics::counter>& received;
  metrics::family<metrics::counter>& succeeded;
  metrics::family<metrics::counter>& failed;
  metrics::family<metrics::counter>& retried;
  metrics::family<metrics::counter>& revoked;
  metrics::family<metrics::counter>& dead_lettered;
  metrics::family<metrics::counter>& redeliveries;
  metrics::family<metrics::histogram>& runtime;
  metrics::family<metrics::histogram>& queue_wait;
  metrics::family<metrics::gauge>& prefetched;
  metrics::family<metrics::gauge>& held;
  metrics::family<metrics::gauge>& active;
};

}  // namespace vmterm::worker
