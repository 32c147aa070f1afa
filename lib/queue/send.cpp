// The pure half of producer.hpp: building the message Celery would send.
#include <unistd.h>

#include <array>
#include <cmath>

#include "queue/producer.hpp"

namespace vmterm::queue {

task_message make_message(const send_options& o, timestamp now, std::string_view origin) {
  task_message m;
  m.task = o.task;
  m.id = o.id.empty() ? uuid4() : o.id;
  m.shadow = o.shadow;
  if (o.eta) {
    m.eta = *o.eta;
  } else if (o.countdown) {
    m.eta = now + *o.countdown;
  }
  if (o.expires) {
    m.expires = *o.expires;
  } else if (o.expires_in) {
    m.expires = now + *o.expires_in;
  }
  if (m.expires) {
    // app.send_task: options["expiration"] = seconds until expiry (0 when past); kombu writes
    // str(int(expiration * 1000)).
    double seconds = std::chrono::duration<double>(*m.expires - now).count();
    if (o.expires_in && !o.expires) {
      seconds = std::chrono::duration<double>(*o.expires_in).count();
    }
    if (seconds < 0) seconds = 0;
    m.expiration = std::to_string(static_cast<std::int64_t>(seconds * 1000));
  }
  m.group = o.group;
  m.group_index = o.group_index;
  m.retries = o.retries;
  m.time_limit = o.time_limit;
  m.soft_time_limit = o.soft_time_limit;
  m.root_id = o.root_id.value_or(m.id);
  m.parent_id = o.parent_id;
  m.origin = std::string(origin);
  m.ignore_result = o.ignore_result;
  m.args = o.args.is_null() ? json::array() : o.args;
  m.kwargs = o.kwargs.is_null() ? json::object() : o.kwargs;
  m.argsrepr = python_repr(m.args, true);
  m.kwargsrepr = python_repr(m.kwargs);
  if (o.extra_headers.is_object()) {
    m.extra_headers = o.extra_headers;
    for (const auto& [k, v] : o.extra_headers.items()) {
      if (!v.is_string()) continue;
      if (k == "traceparent") m.traceparent = v.get<std::string>();
      if (k == "tracestate") m.tracestate = v.get<std::string>();
      if (k == "baggage") m.baggage = v.get<std::string>();
    }
  }
  m.correlation_id = m.id;
  m.routing_key = o.queue;
  m.exchange = "";
  m.priority = o.priority;
  return m;
}

std::string default_origin() {
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  return "gen" + std::to_string(::getpid()) + "@" + std::string(host.data());
}

std::string layout::binding_member(std::string_view queue) {
  std::string m(queue);
  m += priority_separator;
  m += priority_separator;
  m += queue;
  return m;
}

}  // namespace vmterm::queue
