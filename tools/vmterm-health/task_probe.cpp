#include "task_probe.hpp"

#include <boost/asio/io_context.hpp>

#include "queue/task_call.hpp"
#include "redis_probe.hpp"
#include "trace/provider.hpp"
#include "trace/semconv.hpp"

namespace vmterm::health_tool {

namespace {

namespace et = health::error_types;

redis::connection_options connection(const redis::url& u, std::chrono::milliseconds timeout) {
  redis::connection_options co;
  co.url = u;
  co.connect_timeout = timeout;
  co.command_timeout = timeout;
  co.reconnect = false;
  co.client_name = "vmterm-health";
  // The SUBSCRIBE and the send ride behind AUTH/SELECT/CLIENT SETNAME/PING in the connections'
  // first packets: one round trip less.
  co.pipeline_handshake = true;
  return co;
}

/// "FAILURE: CommandFailed" — the exception's type, never its message (it may quote arguments).
std::string failure_text(const queue::result_meta& m) {
  std::string text(queue::to_string(m.status));
  if (m.exception) text += ": " + m.exception->type;
  return text;
}

}  // namespace

health::check_result probe_task(const std::string& name, const options& opt,
                                const probe_settings& s) {
  health::check_result r;
  r.kind = "task";
  r.target = name;
  auto span = trace::get_tracer("vmterm-health").start_span("health.task", s.parent);
  span.set_attribute(trace::semconv::messaging_system, "celery");
  span.set_attribute(trace::semconv::messaging_destination_name, opt.queue);
  span.set_attribute(trace::semconv::server_address, opt.broker_url->host);
  span.set_attribute(trace::semconv::server_port, static_cast<std::int64_t>(opt.broker_url->port));
  trace::context_scope scope(trace::context{span.context(), s.parent.baggage});

  const auto started = clock::now();
  // The task's own deadline, inside the run's.
  const auto limit = std::min(opt.task_timeout, remaining(s));
  const auto deadline = std::min(s.deadline, started + limit);
  // -4/-6: the broker's and the backend's addresses of that family.
  redis::url broker = *opt.broker_url, backend = *opt.backend_url;
  for (auto* u : {&broker, &backend}) {
    auto address = address_for(u->host, s);
    if (!address) {
      fail(r, s, et::dns, address.error().message);
      record_result(span, r, s);
      span.end();
      return r;
    }
    u->host = *address;
  }
  queue::task_call_options co{connection(broker, limit), connection(backend, limit), {}, limit};
  co.task.task = name;
  co.task.queue = opt.queue;
  co.task.expires_in = std::chrono::duration_cast<std::chrono::microseconds>(limit);

  boost::asio::io_context ioc{1};
  std::optional<expected<queue::result_meta>> outcome;
  auto call = queue::task_call::start(
      ioc.get_executor(), std::move(co),
      [&outcome](expected<queue::result_meta> m) { outcome = std::move(m); });
  while (!outcome && clock::now() < deadline) ioc.run_one_until(deadline);
  const auto stage = call->stage();
  call->close();
  ioc.restart();
  ioc.poll();
  const double took = std::chrono::duration<double>(clock::now() - started).count();
  r.detail.push_back("task id " + call->task_id() + ", queue " + opt.queue);
  span.set_attribute(trace::semconv::messaging_message_id, call->task_id());

  const std::string no_result = "no result within " + format_limit(limit) +
                                " (is a worker consuming queue '" + opt.queue + "'?)";
  if (!outcome) {
    if (stage == queue::task_call_stage::result) {
      fail(r, s, et::task_timeout, no_result);
    } else {
      fail(r, s, et::timeout,
           "timeout after " + format_latency(took) + " (" + std::string(to_string(stage)) + ")");
    }
  } else if (!*outcome) {
    const auto& e = outcome->error();
    if (stage == queue::task_call_stage::result && e.code == std::errc::timed_out) {
      fail(r, s, et::task_timeout, no_result);
    } else {
      const auto& u = stage == queue::task_call_stage::connect ? broker : backend;
      auto why = describe_redis_error(e, u);
      fail(r, s, why.error_type, std::move(why.reason));
    }
  } else if ((*outcome)->status != queue::task_state::success) {
    fail(r, s, et::task_failed, failure_text(**outcome));
  } else {
    pass(r, s, took, "SUCCESS");
  }
  record_result(span, r, s);
  span.end();
  return r;
}

}  // namespace vmterm::health_tool
