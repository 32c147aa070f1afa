#include "queue/task_call.hpp"

#include "redis/same_server.hpp"

namespace vmterm::queue {

std::string_view to_string(task_call_stage s) noexcept {
  switch (s) {
    case task_call_stage::connect:
      return "connect";
    case task_call_stage::connect_backend:
      return "connect result backend";
    case task_call_stage::subscribe:
      return "subscribe";
    case task_call_stage::send:
      return "send";
    case task_call_stage::result:
      return "result";
    case task_call_stage::done:
      return "done";
  }
  return "?";
}

task_call::task_call(boost::asio::any_io_executor executor, task_call_options options, done_fn done)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      done_(std::move(done)),
      parent_(trace::current_context()) {
  if (options_.task.id.empty()) options_.task.id = uuid4();
}

task_call::~task_call() { close(); }

std::shared_ptr<task_call> task_call::start(boost::asio::any_io_executor executor,
                                            task_call_options options, done_fn done) {
  std::shared_ptr<task_call> call(
      new task_call(std::move(executor), std::move(options), std::move(done)));
  call->begin();
  return call;
}

/// A completion handler for one step: drops the answer once the call is closed or gone, ends
/// the call on an error, else goes on with `next`.
template <class T, class Next>
auto task_call::step(Next next) {
  return [weak = weak_from_this(), next = std::move(next)](expected<T> r) mutable {
    auto self = weak.lock();
    if (!self || self->closed_) return;
    if (!r) return self->finish(tl::unexpected(r.error()));
    if constexpr (std::is_void_v<T>) {
      next(*self);
    } else {
      next(*self, std::move(*r));
    }
  };
}

void task_call::begin() {
  conn_ = redis::connection::create(executor_, options_.broker);
  producer_ = std::make_unique<producer>(conn_);
  // Celery's default layout keeps results in the broker's db: then the waiter's GET goes over
  // the broker connection, and the call opens two connections, not three.
  const auto& broker = options_.broker.url;
  const auto& backend = options_.backend.url;
  waiter_ = redis::same_server(broker, backend) && broker.db == backend.db
                ? result_waiter::create(executor_, options_.backend, conn_)
                : result_waiter::create(executor_, options_.backend);
  // Both connections at once (a round trip each, overlapped), their errors named as such.
  conn_->async_connect(step<void>([](task_call& self) {
    self.broker_up_ = true;
    self.advance();
  }));
  waiter_->async_connect([weak = weak_from_this()](expected<void> r) {
    auto self = weak.lock();
    if (!self || self->closed_) return;
    if (!r) {
      self->stage_ = task_call_stage::connect_backend;
      return self->finish(tl::unexpected(r.error()));
    }
    self->backend_up_ = true;
    self->advance();
  });
  // SUBSCRIBE and send at once, as Celery subscribes before sending, issued now: they wait for
  // their connections, or ride behind the handshakes (redis::connection_options::
  // pipeline_handshake). A PUBLISH that reaches Redis before the SUBSCRIBE is found by the
  // waiter's GET, issued once all four are confirmed (the result is stored before it is
  // published).
  waiter_->subscribe(options_.task.id, step<void>([](task_call& self) {
                       self.subscribed_ = true;
                       self.advance();
                     }));
  trace::context_scope scope(parent_);  // the PRODUCER span is the caller's span's child
  producer_->send(options_.task, step<sent>([](task_call& self, sent) {
                    self.sent_ = true;
                    self.advance();
                  }));
}

void task_call::advance() {
  if (!done_) return;  // failed already: the stage stays the one that failed
  // The stage names the first step still missing: a caller's deadline reports that one.
  if (!broker_up_) {
    stage_ = task_call_stage::connect;
  } else if (!backend_up_) {
    stage_ = task_call_stage::connect_backend;
  } else if (!subscribed_) {
    stage_ = task_call_stage::subscribe;
  } else if (!sent_) {
    stage_ = task_call_stage::send;
  } else if (stage_ != task_call_stage::result && stage_ != task_call_stage::done) {
    wait();
  }
}

void task_call::wait() {
  stage_ = task_call_stage::result;
  waiter_->wait(
      options_.task.id, options_.timeout,
      step<result_meta>([](task_call& call, result_meta m) { call.finish(std::move(m)); }));
}

void task_call::finish(expected<result_meta> r) {
  if (r) stage_ = task_call_stage::done;  // a failure keeps the step it happened in
  if (auto done = std::exchange(done_, nullptr)) done(std::move(r));
}

void task_call::close() noexcept {
  if (closed_) return;
  closed_ = true;
  done_ = nullptr;
  if (conn_) conn_->close();
  if (waiter_) waiter_->close();
}

}  // namespace vmterm::queue
