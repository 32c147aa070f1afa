#pragma once
/// --redis-url: /health-check/ and /readyz PING Redis through lib/redis, so a health check's
/// trace runs on into Redis (the PING is a CLIENT span, child of the request's span).
///
/// One connection on a thread of its own, connected at start and reconnecting by itself. A
/// check PINGs when the connection is up and waits at most ping_timeout for the PONG; when it
/// is down the answer is immediate, with the reason lib/redis gave (the URL redacted). So a
/// Redis that is down never holds up the threads that run the terminal sessions.

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <thread>

#include "backend.hpp"
#include "metrics/registry.hpp"
#include "redis/connection.hpp"

namespace vmterm::serve {

class redis_health {
 public:
  static constexpr std::chrono::milliseconds ping_timeout{1000};

  /// Starts connecting to `url` (vmterm_redis_* on `registry`).
  redis_health(const redis::url& url, metrics::registry* registry);
  ~redis_health();
  redis_health(const redis_health&) = delete;
  redis_health& operator=(const redis_health&) = delete;

  /// PINGs Redis under the calling thread's current trace context: {true} on PONG, else
  /// {false, "redis 'redis://127.0.0.1:6379/0': connection refused; ..."}.
  [[nodiscard]] readiness ping();

 private:
  boost::asio::io_context ioc_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  std::shared_ptr<redis::connection> conn_;  // used on ioc_'s thread only
  std::string who_;
  std::thread thread_;
};

}  // namespace vmterm::serve
