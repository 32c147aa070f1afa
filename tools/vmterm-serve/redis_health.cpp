#include "redis_health.hpp"

#include <boost/asio/post.hpp>
#include <future>

#include "core/log.hpp"
#include "trace/context.hpp"

namespace vmterm::serve {
namespace net = boost::asio;

redis_health::redis_health(const redis::url& url, metrics::registry* registry)
    : work_(net::make_work_guard(ioc_)), who_("redis '" + url.redacted() + "'") {
  redis::connection_options o;
  o.url = url;
  o.connect_timeout = std::chrono::seconds(3);
  o.client_name = "vmterm-serve";
  o.metrics = registry;
  conn_ = redis::connection::create(ioc_.get_executor(), std::move(o));
  conn_->async_connect([](expected<void> r) {
    if (!r) {
      log::warn("Redis does not answer; /health-check/ and /readyz answer 503 until it does",
                {{"reason", r.error().message}});
    }
  });
  thread_ = std::thread([this] { ioc_.run(); });
}

redis_health::~redis_health() {
  // In order on the loop: close (pending PINGs fail, nothing reconnects), then stop.
  net::post(ioc_, [this] { conn_->close(); });
  net::post(ioc_, [this] { ioc_.stop(); });
  work_.reset();
  thread_.join();
}

readiness redis_health::ping() {
  auto answer = std::make_shared<std::promise<readiness>>();
  auto future = answer->get_future();
  net::post(ioc_, [this, answer, ctx = trace::current_context()]() mutable {
    if (conn_->state() != redis::connection_state::ready) {
      auto why = conn_->last_error();
      answer->set_value({false, why.empty() ? who_ + ": not connected yet" : why});
      return;
    }
    trace::context_scope scope(std::move(ctx));  // the PING span's parent: the request's span
    conn_->exec({"PING"}, [answer](expected<redis::reply> r) {
      answer->set_value(r ? readiness{} : readiness{false, r.error().message});
    });
  });
  if (future.wait_for(ping_timeout) != std::future_status::ready) {
    return {false,
            who_ + ": no answer to PING within " + std::to_string(ping_timeout.count()) + " ms"};
  }
  return future.get();
}

}  // namespace vmterm::serve
