#include "queue/tracing.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "trace/propagation.hpp"
#include "trace/propagators.hpp"

namespace vmterm::queue {

std::string producer_span_name(std::string_view task) { return "apply_async/" + std::string(task); }
std::string consumer_span_name(std::string_view task) { return "run/" + std::string(task); }

namespace {

/// Whether a Celery header belongs to one of the non-W3C propagators (B3, Jaeger); `key` is
/// compared lowercase, as the propagators write it.
bool foreign_propagation_key(std::string_view key) noexcept {
  return key == "b3" || key.starts_with("x-b3-") || key == "uber-trace-id" ||
         key.starts_with("uberctx-");
}

/// X-B3-* may arrive in any case (HTTP-style names); Jaeger's uberctx- suffix is a baggage
/// key, kept as is.
std::string carrier_key(std::string key) {
  if (key.size() >= 5 && (key[0] == 'X' || key[0] == 'x') && key[1] == '-' &&
      (key[2] == 'B' || key[2] == 'b') && key[3] == '3' && key[4] == '-') {
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return key;
}

}  // namespace

trace::context extract_parent(const task_message& m) {
  auto opt = [](const std::string& s) -> std::optional<std::string_view> {
    if (s.empty()) return std::nullopt;
    return std::string_view(s);
  };
  // The default propagators (tracecontext,baggage) read only the typed fields: no map.
  if (trace::default_propagators()) {
    return trace::extract_context(opt(m.traceparent), opt(m.tracestate), opt(m.baggage));
  }
  trace::string_map carrier;
  if (!m.traceparent.empty()) carrier["traceparent"] = m.traceparent;
  if (!m.tracestate.empty()) carrier["tracestate"] = m.tracestate;
  if (!m.baggage.empty()) carrier["baggage"] = m.baggage;
  if (m.extra_headers.is_object()) {
    for (const auto& [k, v] : m.extra_headers.items()) {
      if (!v.is_string()) continue;
      auto key = carrier_key(k);
      if (foreign_propagation_key(key)) carrier[std::move(key)] = v.get<std::string>();
    }
  }
  return trace::extract(carrier);
}

namespace {
bool has_foreign_propagation(const task_message& m) {
  if (!m.extra_headers.is_object()) return false;
  for (const auto& [k, v] : m.extra_headers.items()) {
    if (foreign_propagation_key(carrier_key(k))) return true;
  }
  return false;
}
}  // namespace

void inject(const trace::context& ctx, task_message& m) {
  if (trace::default_propagators() && !has_foreign_propagation(m)) {
    if (!ctx.span.valid()) {
      m.traceparent.clear();
      m.tracestate.clear();
    } else {
      m.traceparent = trace::format_traceparent(ctx.span);
      m.tracestate = ctx.span.trace_state;
    }
    m.baggage = ctx.baggage;
    return;
  }
  // OTEL_PROPAGATORS=b3,jaeger,...: every configured format's headers, in the message's
  // headers as a Celery producer with that propagator writes them; what a previous hop left
  // in another format goes, so a task never carries two different parents.
  if (m.extra_headers.is_object()) {
    for (auto it = m.extra_headers.begin(); it != m.extra_headers.end();) {
      if (foreign_propagation_key(carrier_key(it.key()))) {
        it = m.extra_headers.erase(it);
      } else {
        ++it;
      }
    }
  }
  trace::string_map carrier;
  trace::inject(ctx, carrier);
  auto take = [&](const char* key) {
    const auto it = carrier.find(key);
    return it == carrier.end() ? std::string() : std::move(it->second);
  };
  m.traceparent = take("traceparent");
  m.tracestate = take("tracestate");
  m.baggage = take("baggage");
  for (auto& [k, v] : carrier) {
    if (!foreign_propagation_key(k)) continue;
    if (m.extra_headers.is_null()) m.extra_headers = json::object();
    m.extra_headers[k] = std::move(v);
  }
}

void set_producer_attributes(trace::span& s, const task_message& m) {
  if (!s.is_recording()) return;
  s.set_attribute("celery.action", "apply_async");
  s.set_attribute("celery.task_name", m.task);
  s.set_attribute("messaging.message.id", m.id);
  s.set_attribute("messaging.destination", m.routing_key);
}

namespace {
std::string delivery_info_str(const task_message& m) {
  // str() of the request's delivery_info dict, as the instrumentation records it.
  std::string s = "{'exchange': '" + m.exchange + "', 'routing_key': '" + m.routing_key +
                  "', 'priority': " + std::to_string(m.priority) +
                  ", 'redelivered': " + (m.redelivered ? "True" : "False") + "}";
  return s;
}

std::string limit_str(double d) {
  json v = d == static_cast<double>(static_cast<std::int64_t>(d))
               ? json(static_cast<std::int64_t>(d))
               : json(d);
  return python_json(v);
}
}  // namespace

void set_consumer_attributes(trace::span& s, const task_message& m) {
  if (!s.is_recording()) return;
  s.set_attribute("celery.action", "run");
  s.set_attribute("celery.task_name", m.task);
  s.set_attribute("messaging.message.id", m.id);
  s.set_attribute("messaging.conversation_id", m.correlation_id.empty() ? m.id : m.correlation_id);
  s.set_attribute("messaging.destination", m.routing_key);
  s.set_attribute("celery.delivery_info", delivery_info_str(m));
  if (m.eta) s.set_attribute("celery.eta", format_iso8601(*m.eta));
  if (m.expires) s.set_attribute("celery.expires", format_iso8601(*m.expires));
  if (m.priority != 0) s.set_attribute("celery.priority", static_cast<std::int64_t>(m.priority));
  if (!m.reply_to.empty()) s.set_attribute("celery.reply_to", m.reply_to);
  if (m.retries > 0) s.set_attribute("celery.retries", m.retries);
  if (m.time_limit || m.soft_time_limit) {
    std::vector<std::string> tl{m.time_limit ? limit_str(*m.time_limit) : "None",
                                m.soft_time_limit ? limit_str(*m.soft_time_limit) : "None"};
    s.set_attribute("celery.timelimit", trace::attribute_value(std::move(tl)));
  }
  if (!m.origin.empty()) s.set_attribute("celery.hostname", m.origin);
}

void set_outcome(trace::span& s, task_state state, const task_exception* exc) {
  if (!s.is_recording()) return;
  s.set_attribute("celery.state", to_string(state));
  if (state == task_state::failure) {
    std::string message;
    if (exc != nullptr) {
      // str(exc): the single argument as text, or the args tuple's repr.
      if (exc->message.is_array() && exc->message.size() == 1 && exc->message[0].is_string()) {
        message = exc->message[0].get<std::string>();
      } else {
        message = python_repr(exc->message, true);
      }
      s.record_exception(exc->type, message);
    } else {
      s.set_status(trace::status_code::error, "FAILURE");
    }
  }
}

}  // namespace vmterm::queue
