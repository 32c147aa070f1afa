#pragma once
/// Celery's remote control and events for vmterm-worker, so Celery's own tools see it
/// (celery.md §2.4): PSUBSCRIBE /<db>.celery.pidbox and answer ping, stats, active,
/// registered, active_queues and revoke (with terminate) by LPUSHing a reply to the
/// caller's reply list; PUBLISH worker-online, worker-heartbeat every 2 s and worker-offline
/// on /<db>.celeryev/worker.*, and with -E the task-* events. Pure encoding lives in
/// celery_events.hpp. Use from the worker's executor.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "redis/connection.hpp"
#include "redis/subscriber.hpp"
#include "task_registry.hpp"
#include "worker.hpp"

namespace vmterm::worker {

class celery_control : public std::enable_shared_from_this<celery_control> {
 public:
  celery_control(boost::asio::any_io_executor ex, redis::url broker, const run_settings& s,
                 worker& w, const task_registry& tasks);
  /// Connects, subscribes to the pidbox, sends worker-online, starts the heartbeat.
  void start(std::function<void(expected<void>)> done);
  /// worker-offline, then closes its connections.
  void stop(std::function<void()> done);
  /// Observer that sends task-* events (only with -E; otherwise empty).
  [[nodiscard]] task_observer observer();

 private:
  void on_message(const redis::pubsub_message& m);
  void reply(const std::string& routing_key, const std::string& ticket, const std::string& body);
  void publish_event(const std::string& routing_key, const std::string& body);
  void heartbeat();
  [[nodiscard]] std::string worker_event(const std::string& type);

  boost::asio::any_io_executor ex_;
  redis::url broker_;
  run_settings settings_;
  worker& worker_;
  const task_registry& tasks_;
  std::shared_ptr<redis::connection> conn_;
  std::shared_ptr<redis::subscriber> sub_;
  boost::asio::steady_timer heartbeat_;
  std::uint64_t clock_ = 0;
  bool stopped_ = false;
};

}  // namespace vmterm::worker
