#include "queue/producer.hpp"

#include "queue/tracing.hpp"
#include "trace/provider.hpp"

namespace vmterm::queue {

namespace {
timestamp utc_now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}
}  // namespace

producer::producer(std::shared_ptr<redis::connection> conn, queue::layout layout,
                   std::string origin, std::optional<trace::tracer> tracer)
    : conn_(std::move(conn)),
      layout_(std::move(layout)),
      origin_(std::move(origin)),
      tracer_(tracer ? *tracer : trace::get_tracer("vmterm.queue")) {}

void producer::send(send_options o, std::function<void(expected<sent>)> done) {
  send_message(make_message(o, utc_now(), origin_), std::move(done));
}

void producer::send_message(task_message m, std::function<void(expected<sent>)> done) {
  const auto& caller = trace::current_context();
  auto span = std::make_shared<trace::span>(
      tracer_.start_span(producer_span_name(m.task), caller, trace::span_kind::producer));
  set_producer_attributes(*span, m);
  trace::context ctx{span->context(), caller.baggage};
  if (!bound_.contains(m.routing_key)) {
    // kombu's queue binding, once per queue: its own command ahead of the LPUSH on the same
    // connection (written in the same turn, so no extra round trip), outside the producer
    // span, whose one Redis child is the LPUSH as opentelemetry-instrumentation-celery shows.
    bound_.insert(m.routing_key);
    conn_->exec(redis::command{"SADD", layout_.binding(m.routing_key),
                               layout::binding_member(m.routing_key)},
                [](expected<redis::reply>) {});  // a failure fails the LPUSH behind it too
  }
  inject(ctx, m);                   // the producer span is the parent the message carries
  trace::context_scope scope(ctx);  // and the LPUSH's CLIENT span is its child
  auto key = layout_.key(bucket_key(m.routing_key, m.priority));
  sent s{m.id, key};
  std::vector<redis::command> cmds;
  cmds.push_back(redis::command{"LPUSH", key, encode_message(m)});
  auto finish = [span, s = std::move(s), done = std::move(done)](expected<void> r) mutable {
    if (!r) {
      span->set_status(trace::status_code::error, r.error().message);
      span->end();
      done(tl::unexpected(r.error()));
      return;
    }
    span->end();
    done(std::move(s));
  };
  if (cmds.size() == 1) {
    conn_->exec(std::move(cmds[0]), [finish = std::move(finish)](expected<redis::reply> r) mutable {
      if (!r) {
        finish(tl::unexpected(r.error()));
      } else {
        finish({});
      }
    });
    return;
  }
  conn_->pipeline(std::move(cmds),
                  [finish = std::move(finish)](expected<std::vector<redis::reply>> r) mutable {
                    if (!r) {
                      finish(tl::unexpected(r.error()));
                      return;
                    }
                    for (const auto& x : *r) {
                      if (x.is_error()) {
                        finish(fail(std::errc::io_error, "LPUSH: " + x.text()));
                        return;
                      }
                    }
                    finish({});
                  });
}

void producer::send_many(std::vector<send_options> batch,
                         std::function<void(expected<std::vector<sent>>)> done) {
  const auto& caller = trace::current_context();
  auto now = utc_now();
  std::vector<redis::command> cmds;
  std::vector<sent> ids;
  auto spans = std::make_shared<std::vector<trace::span>>();
  cmds.reserve(batch.size() + 1);
  constexpr std::size_t max_values_per_lpush = 1000;
  std::string last_key;
  std::size_t pushed = 0;
  for (auto& o : batch) {
    auto m = make_message(o, now, origin_);
    auto span = tracer_.start_span(producer_span_name(m.task), caller, trace::span_kind::producer);
    set_producer_attributes(span, m);
    inject(trace::context{span.context(), caller.baggage}, m);
    if (!bound_.contains(m.routing_key)) {
      bound_.insert(m.routing_key);
      cmds.push_back(redis::command{"SADD", layout_.binding(m.routing_key),
                                    layout::binding_member(m.routing_key)});
    }
    auto key = layout_.key(bucket_key(m.routing_key, m.priority));
    // Consecutive messages for one key go in one LPUSH (as many LPUSHes would, in order):
    // Redis does one command's work for the run, not one per message.
    if (!cmds.empty() && last_key == key && pushed < max_values_per_lpush) {
      cmds.back().arg(encode_message(m));
      ++pushed;
    } else {
      cmds.push_back(redis::command{"LPUSH", key, encode_message(m)});
      last_key = key;
      pushed = 1;
    }
    ids.push_back(sent{m.id, std::move(key)});
    spans->push_back(std::move(span));
  }
  if (cmds.empty()) {
    done(std::move(ids));
    return;
  }
  conn_->pipeline(std::move(cmds), [spans, ids = std::move(ids), done = std::move(done)](
                                       expected<std::vector<redis::reply>> r) mutable {
    std::string err;
    if (!r) {
      err = r.error().message;
    } else {
      for (const auto& x : *r) {
        if (x.is_error()) err = "LPUSH: " + x.text();
      }
    }
    for (auto& s : *spans) {
      if (!err.empty()) s.set_status(trace::status_code::error, err);
      s.end();
    }
    if (!r) {
      done(tl::unexpected(r.error()));
    } else if (!err.empty()) {
      done(fail(std::errc::io_error, err));
    } else {
      done(std::move(ids));
    }
  });
}

}  // namespace vmterm::queue
