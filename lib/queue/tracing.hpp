#pragma once
/// Tracing across the queue exactly as opentelemetry-instrumentation-celery does it
/// (celery.md §3): `apply_async/<task>` PRODUCER spans whose traceparent travels as top-level
/// message headers, `run/<task>` CONSUMER spans continuing it. Never an argument value:
/// args, kwargs, argsrepr and kwargsrepr stay out of spans.

#include <string>
#include <string_view>

#include "queue/message.hpp"
#include "queue/result.hpp"
#include "trace/context.hpp"
#include "trace/span.hpp"

namespace vmterm::queue {

/// "apply_async/<task>" and "run/<task>".
[[nodiscard]] std::string producer_span_name(std::string_view task);
[[nodiscard]] std::string consumer_span_name(std::string_view task);

/// The parent of the run span: the message's traceparent/tracestate/baggage headers, and with
/// OTEL_PROPAGATORS also b3, X-B3-*, uber-trace-id and uberctx-* (an absent or invalid
/// context gives an invalid one: start a new root).
[[nodiscard]] trace::context extract_parent(const task_message& m);

/// Writes `ctx` into m.traceparent/tracestate/baggage (empty when invalid/absent), and with
/// OTEL_PROPAGATORS every configured format's headers into m.extra_headers (replacing those a
/// previous hop left).
void inject(const trace::context& ctx, task_message& m);

/// Producer attributes, as the instrumentation sets them: celery.action=apply_async,
/// celery.task_name, messaging.message.id; plus messaging.destination (the routing key).
void set_producer_attributes(trace::span& s, const task_message& m);

/// Consumer attributes from the message (set_attributes_from_context's mapping):
/// celery.action=run, celery.task_name, messaging.message.id (id),
/// messaging.conversation_id (correlation_id), messaging.destination (routing_key),
/// celery.delivery_info (str), celery.eta/celery.expires (ISO), celery.priority,
/// celery.reply_to, celery.retries (only when > 0), celery.timelimit (["30","20"], only when
/// set), celery.hostname (origin). Never args/kwargs/argsrepr/kwargsrepr.
void set_consumer_attributes(trace::span& s, const task_message& m);

/// celery.state=<SUCCESS|FAILURE|...> on the run span; FAILURE also sets status ERROR and an
/// exception event (exception.type, exception.message) as record_exception does.
void set_outcome(trace::span& s, task_state state, const task_exception* exc = nullptr);

}  // namespace vmterm::queue
