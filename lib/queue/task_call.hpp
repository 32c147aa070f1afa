#pragma once
/// One task sent and its result awaited, as Celery's `delay().get()`: what `vmterm-worker call
/// --wait` and vmterm-health's --task probe share. Connects to the broker and to the result
/// backend, SUBSCRIBEs to the task's result channel and sends through queue::producer, all at
/// once (the commands wait for their connections, or ride behind the handshakes with
/// pipeline_handshake; the PRODUCER span is a child of the caller's current span, and the
/// message carries its traceparent), then, all confirmed, GETs the result once (a fast worker's
/// PUBLISH that Redis saw before the SUBSCRIBE is never missed: Celery stores before it publishes)
/// and waits up to `timeout` for the ready result (SUCCESS, FAILURE or REVOKED).
///
/// Single-threaded: start() and every callback run on the executor's one thread. `done` is
/// called exactly once, unless close() comes first; the caller closes the call afterwards.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "queue/producer.hpp"
#include "queue/result.hpp"
#include "queue/result_backend.hpp"
#include "redis/connection.hpp"
#include "trace/context.hpp"

namespace vmterm::queue {

struct task_call_options {
  redis::connection_options broker;
  redis::connection_options backend;         ///< the result db (Celery's default: the broker's)
  send_options task;                         ///< an empty id gets a fresh uuid4
  std::chrono::milliseconds timeout{30000};  ///< for the result, counted from the send
};

/// Where a call is: a caller with its own deadline names the step it stopped in.
enum class task_call_stage { connect, connect_backend, subscribe, send, result, done };
/// "connect", "connect result backend", "subscribe", "send", "result", "done".
[[nodiscard]] std::string_view to_string(task_call_stage s) noexcept;

class task_call : public std::enable_shared_from_this<task_call> {
 public:
  using done_fn = std::function<void(expected<result_meta>)>;

  /// Starts the call. Errors are the connections' ("redis 'URL': connection refused; ...") and
  /// the waiter's timeout ("task <id>: no result within 5 s (is a worker consuming its
  /// queue?)", errc::timed_out).
  [[nodiscard]] static std::shared_ptr<task_call> start(boost::asio::any_io_executor executor,
                                                        task_call_options options, done_fn done);
  ~task_call();
  task_call(const task_call&) = delete;
  task_call& operator=(const task_call&) = delete;

  /// The step the call is in; after a failure, the step that failed (done after a result).
  [[nodiscard]] task_call_stage stage() const noexcept { return stage_; }
  [[nodiscard]] const std::string& task_id() const noexcept { return options_.task.id; }
  /// Closes both connections; no callback comes after it. Idempotent.
  void close() noexcept;

 private:
  task_call(boost::asio::any_io_executor executor, task_call_options options, done_fn done);
  template <class T, class Next>
  auto step(Next next);
  void begin();
  void advance();
  void wait();
  void finish(expected<result_meta> r);

  boost::asio::any_io_executor executor_;
  task_call_options options_;
  done_fn done_;
  std::shared_ptr<redis::connection> conn_;
  std::unique_ptr<producer> producer_;
  std::shared_ptr<result_waiter> waiter_;
  trace::context parent_;  ///< the caller's context at start(): the producer span's parent
  bool closed_ = false;
  bool broker_up_ = false, backend_up_ = false, subscribed_ = false, sent_ = false;
  task_call_stage stage_ = task_call_stage::connect;
};

}  // namespace vmterm::queue
