// `vmterm-worker` (run): the worker, its remote control and events, metrics, signals.
#include <signal.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <memory>

#include "app.hpp"
#include "asio/spin.hpp"
#include "blocking_pool.hpp"
#include "celery_control.hpp"
#include "core/exit_code.hpp"
#include "core/log.hpp"
#include "http/metrics_endpoint.hpp"
#include "metrics/process_metrics.hpp"
#include "metrics/registry.hpp"
#include "redis/url.hpp"
#include "task_registry.hpp"
#include "worker.hpp"
#include "worker_metrics.hpp"

namespace vmterm::worker {
namespace net = boost::asio;

int run_worker(const run_settings& s) {
  auto broker = redis::parse_url(s.common.broker);
  if (!broker) {
    log::error("--broker: " + broker.error().message);
    return to_int(exit_code::usage);
  }
  net::io_context ioc(1);
  blocking_pool pool(static_cast<std::size_t>(std::clamp(s.concurrency, 1, 8)));
  task_registry tasks({.health_url = s.health_url}, pool);
  for (const auto& [name, command] : s.tasks) tasks.add_shell(name, command);
  metrics::registry registry;
  metrics::add_process_metrics(registry);
  worker_metrics wm(registry);
  std::unique_ptr<http::metrics_endpoint> server;
  if (!s.metrics_listen.empty()) {
    auto started =
        http::metrics_endpoint::start(ioc, registry,
                                      {.listen = s.metrics_listen,
                                       .token = s.metrics_token,
                                       .server_name = "vmterm-worker",
                                       .flag = "--metrics-listen",
                                       .token_advice = "give --token-file or VMTERM_TOKEN"});
    if (!started) {
      log::error(started.error().message);
      return to_int(exit_code::usage);
    }
    server = std::move(*started);
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
  asio::run_spinning(ioc, s.busy_poll);
  return code;
}

}  // namespace vmterm::worker
