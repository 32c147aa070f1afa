// `vmterm-worker` (run): the worker, its remote control and events, metrics, signals.
#include <signal.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <optional>

#include "app.hpp"
#include "blocking_pool.hpp"
#include "celery_control.hpp"
#include "core/exit_code.hpp"
#include "core/log.hpp"
#include "http/auth.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "metrics/exposition.hpp"
#include "metrics/process_metrics.hpp"
#include "metrics/registry.hpp"
#include "redis/url.hpp"
#include "task_registry.hpp"
#include "worker.hpp"
#include "worker_metrics.hpp"

namespace vmterm::worker {
namespace net = boost::asio;

namespace {

http::router metrics_routes(const metrics::registry& registry, std::string token) {
  http::router r;
  r.add("GET", "/metrics",
        [&registry, token](const http::request& req, const http::request_context&) {
          if (!token.empty()) {
            auto given = http::bearer_token(req.headers);
            if (!given || !http::constant_time_equal(*given, token)) {
              auto res = http::text_response(401, "a bearer token is required\n");
              res.headers.set("WWW-Authenticate", "Bearer");
              return res;
            }
          }
          auto res =
              http::text_response(200, registry.expose(), std::string(metrics::text_content_type));
          res.headers.set("Cache-Control", "no-store");
          return res;
        });
  return r;
}

bool loopback(const std::string& listen) {
  return listen.starts_with("127.") || listen.starts_with("localhost:") ||
         listen.starts_with("[::1]:");
}

}  // namespace

int run_worker(const run_settings& s) {
  ::signal(SIGPIPE, SIG_IGN);  // a shell task that closes its stdin early
  auto broker = redis::parse_url(s.common.broker);
  if (!broker) {
    log::error("--broker: " + broker.error().message);
    return to_int(exit_code::usage);
  }
  if (!s.metrics_listen.empty() && s.metrics_token.empty() && !loopback(s.metrics_listen)) {
    log::error("--metrics-listen '" + s.metrics_listen +
               "': metrics on a non-loopback address need a token; give --token-file or "
               "VMTERM_TOKEN");
    return to_int(exit_code::usage);
  }
  net::io_context ioc(1);
  blocking_pool pool(static_cast<std::size_t>(std::clamp(s.concurrency, 1, 8)));
  task_registry tasks({.health_url = s.health_url}, pool);
  for (const auto& [name, command] : s.tasks) tasks.add_shell(name, command);
  metrics::registry registry;
  metrics::add_process_metrics(registry);
  worker_metrics wm(registry);
  std::optional<http::server> server;
  if (!s.metrics_listen.empty()) {
    server.emplace(
        ioc,
        http::server_options{
            .listen = s.metrics_listen, .registry = &registry, .server_name = "vmterm-worker"},
        metrics_routes(registry, s.metrics_token));
    auto bound = server->listen();
    if (!bound) {
      log::error("--metrics-listen: " + bound.error().message);
      return to_int(exit_code::usage);
    }
  }
  auto w = std::make_shared<worker>(ioc.get_executor(), s, tasks, &wm);
  auto control = std::make_shared<celery_control>(ioc.get_executor(), *broker, s, *w, tasks);
  net::signal_set signals(ioc, SIGTERM, SIGINT);
  int code = to_int(exit_code::ok);
  bool stopping = false;
  auto stop_all = [&](const std::string& why) {
    if (stopping) return;
    stopping = true;
    log::info("stopping: " + why);
    signals.cancel();
    w->shutdown([&] {
      control->stop([&] {
        if (server) server->stop();
        log::info("stopped");
        ioc.stop();  // whatever reconnect timer is left would keep run() going
      });
    });
  };
  w->on_recycle([&](const std::string& why) { stop_all(why); });
  w->start([&](expected<void> r) {
    if (!r) {
      log::error(r.error().message);
      code = to_int(exit_code::failure);
      ioc.stop();
      return;
    }
    control->start([&](expected<void> c) {
      if (!c) log::warn("remote control and events: " + c.error().message);
    });
    w->set_observer(control->observer());
    std::string names;
    for (const auto& n : tasks.names()) names += (names.empty() ? "" : ",") + n;
    std::string queues;
    for (const auto& q : s.queues) queues += (queues.empty() ? "" : ",") + q;
    log::info("ready", {{"hostname", s.hostname},
                        {"broker", broker->redacted()},
                        {"queues", queues},
                        {"tasks", names},
                        {"concurrency", std::to_string(s.concurrency)}});
  });
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (!ec) stop_all(sig == SIGTERM ? "SIGTERM" : "SIGINT");
  });
  ioc.run();
  return code;
}

}  // namespace vmterm::worker
