#pragma once
/// vmterm-beat's Prometheus metrics (vmterm_beat_*). Entry names are labels: the schedule's own
/// names, so the label set is bounded by the file. Never an argument value.

#include "metrics/counter.hpp"
#include "metrics/family.hpp"
#include "metrics/gauge.hpp"
#include "metrics/histogram.hpp"
#include "metrics/registry.hpp"

namespace vmterm::beat {

struct beat_metrics {
  explicit beat_metrics(metrics::registry& r)
      : sent(r.add_counter("vmterm_beat_ticks_sent_total", "ticks this beat sent to the queue",
                           {"entry"})),
        skipped(r.add_counter("vmterm_beat_ticks_skipped_total",
                              "due ticks found already sent (by this or another beat)", {"entry"})),
        coalesced(r.add_counter(
            "vmterm_beat_ticks_coalesced_total",
            "due ticks not sent, folded into a later one (missed for longer than three leases)",
            {"entry"})),
        failed(r.add_counter("vmterm_beat_send_failures_total", "sends that Redis did not confirm",
                             {"entry"})),
        lateness(r.add_histogram("vmterm_beat_tick_lateness_seconds",
                                 "from a tick's due time to Redis confirming its send", {},
                                 {0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 5, 30})),
        leader(r.add_gauge("vmterm_beat_leader", "1 while this beat holds the leader lease")),
        renewals(r.add_counter("vmterm_beat_lease_renewals_total",
                               "successful lease acquisitions and extensions")),
        losses(r.add_counter("vmterm_beat_lease_losses_total",
                             "times this beat stepped down (lease refused, lost or Redis gone)")),
        reloads(r.add_counter("vmterm_beat_schedule_reloads_total",
                              "SIGHUP reloads of the schedule, by result (ok, refused)",
                              {"result"})),
        entries(r.add_gauge("vmterm_beat_schedule_entries", "entries in the loaded schedule")),
        behind(r.add_gauge("vmterm_beat_behind_seconds",
                           "how late the oldest due tick was when the beat last took due ticks "
                           "(about 0 while it keeps up)")) {}

  metrics::family<metrics::counter>& sent;
  metrics::family<metrics::counter>& skipped;
  metrics::family<metrics::counter>& coalesced;
  metrics::family<metrics::counter>& failed;
  metrics::family<metrics::histogram>& lateness;
  metrics::family<metrics::gauge>& leader;
  metrics::family<metrics::counter>& renewals;
  metrics::family<metrics::counter>& losses;
  metrics::family<metrics::counter>& reloads;
  metrics::family<metrics::gauge>& entries;
  metrics::family<metrics::gauge>& behind;
};

}  // namespace vmterm::beat
