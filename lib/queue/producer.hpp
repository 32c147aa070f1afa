#pragma once
/// Sending Celery tasks to kombu's Redis layout (what `vmterm-worker call` and vmterm-beat
/// use): builds the message (send_options -> task_message), opens the `apply_async/<task>`
/// PRODUCER span and injects its traceparent into the headers while it is current, LPUSHes to
/// the priority bucket (the LPUSH is the span's child CLIENT span), SADDs the queue's kombu
/// binding once per producer and queue. Use from the connection's executor.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "queue/layout.hpp"
#include "queue/message.hpp"
#include "redis/connection.hpp"
#include "trace/tracer.hpp"

namespace vmterm::queue {

/// What apply_async takes (the subset a shell user needs).
struct send_options {
  std::string task;                                     ///< registered task name
  json args = json::array();                            ///< positional arguments
  json kwargs = json::object();                         ///< keyword arguments
  std::string queue = "celery";                         ///< routing_key and list name
  int priority = 0;                                     ///< 0..9, 0 highest
  std::optional<std::chrono::microseconds> countdown;   ///< eta = now + countdown
  std::optional<timestamp> eta;                         ///< wins over countdown
  std::optional<std::chrono::microseconds> expires_in;  ///< expires = now + expires_in
  std::optional<timestamp> expires;                     ///< wins over expires_in
  std::optional<double> time_limit, soft_time_limit;
  std::string id;  ///< "" = a fresh uuid4
  std::optional<std::string> parent_id, root_id, group;
  std::optional<std::int64_t> group_index;
  std::optional<std::string> shadow;
  std::int64_t retries = 0;
  bool ignore_result = false;
  json extra_headers;  ///< apply_async(headers=...): merged after the v2 headers
};

/// Builds the message Celery 5.2.6 would for these options at `now`, with `origin`
/// ("gen<pid>@<host>"). Pure. traceparent is left empty (the producer injects it).
[[nodiscard]] task_message make_message(const send_options& o, timestamp now,
                                        std::string_view origin);

/// The default origin: "gen<pid>@<hostname>", as Celery's producer writes it.
[[nodiscard]] std::string default_origin();

struct sent {
  std::string id;     ///< the task id
  std::string queue;  ///< the list it went to (bucket key)
};

class producer {
 public:
  /// `conn` is shared with others (pipelining keeps one connection busy); `tracer` null ->
  /// trace::get_tracer("vmterm.queue").
  producer(std::shared_ptr<redis::connection> conn, queue::layout layout = {},
           std::string origin = default_origin(), std::optional<trace::tracer> tracer = {});

  /// One task: span + inject + (SADD binding the first time) + LPUSH. `done` gets the id.
  void send(send_options o, std::function<void(expected<sent>)> done);
  /// Sends a message built elsewhere (a retry, beat's): same span and injection.
  void send_message(task_message m, std::function<void(expected<sent>)> done);
  /// Many tasks in one pipeline (one round trip): a PRODUCER span per task (each message
  /// carries its own traceparent) and one PIPELINE CLIENT span for the LPUSHes, a child of
  /// the caller's current span. `done` gets the ids in order.
  void send_many(std::vector<send_options> batch,
                 std::function<void(expected<std::vector<sent>>)> done);

 private:
  std::shared_ptr<redis::connection> conn_;
  queue::layout layout_;
  std::string origin_;
  trace::tracer tracer_;
  std::set<std::string, std::less<>> bound_;  ///< queues whose binding was SADDed
};

}  // namespace vmterm::queue
