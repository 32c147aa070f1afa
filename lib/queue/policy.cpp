#include "queue/policy.hpp"

namespace vmterm::queue {

delivery_decision decide(const task_message& m, timestamp now, bool task_known, bool revoked) {
  delivery_decision d;
  if (!task_known) {
    d.what = delivery_decision::kind::dead_letter;
    d.reason = "message " + m.id + ": no task named '" + m.task +
               "' on this worker; register it (--task " + m.task +
               "=COMMAND) or route it to a queue whose workers have it";
    return d;
  }
  if (revoked) {
    d.what = delivery_decision::kind::revoke;
    d.reason = "task " + m.id + " was revoked";
    return d;
  }
  // Celery checks expiry at receipt and again before running (Request.revoked()), so an expired
  // message is revoked even when its eta is still ahead.
  if (m.expires && *m.expires <= now) {
    d.what = delivery_decision::kind::revoke;
    d.reason = "task " + m.id + " expired at " + format_iso8601(*m.expires) + " (now " +
               format_iso8601(now) + ")";
    return d;
  }
  if (m.eta && *m.eta > now) {
    d.what = delivery_decision::kind::hold;
    d.until = *m.eta;
    return d;
  }
  d.what = delivery_decision::kind::run;
  return d;
}

task_message make_retry(const task_message& m, timestamp now, std::chrono::microseconds countdown,
                        std::string_view origin) {
  task_message r = m;
  r.retries = m.retries + 1;
  r.eta = now + countdown;
  r.parent_id = m.id;
  r.root_id = m.root_id.empty() ? m.id : m.root_id;
  r.delivery_tag.clear();
  r.origin = std::string(origin);
  r.redelivered = false;
  if (r.extra_headers.is_object()) r.extra_headers.erase("redelivered");
  r.traceparent.clear();  // the producer injects the current (run span's) context
  r.tracestate.clear();
  return r;
}

}  // namespace vmterm::queue
