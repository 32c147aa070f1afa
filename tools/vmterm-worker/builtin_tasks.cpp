#include "builtin_tasks.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cmath>

#include "http/client.hpp"
#include "http/client_tracing.hpp"
#include "trace/context.hpp"
#include "trace/propagation.hpp"

namespace vmterm::worker {
namespace net = boost::asio;

namespace {

class sleep_run final : public running_task, public std::enable_shared_from_this<sleep_run> {
 public:
  sleep_run(net::any_io_executor ex, outcome_fn done) : timer_(ex), done_(std::move(done)) {}
  void start(std::chrono::milliseconds d) {
    timer_.expires_after(d);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec && self->signal_ == 0) return;
      if (self->signal_ != 0) {
        self->done_(task_outcome::failure("Terminated", "billiard.exceptions",
                                          "terminated by signal " + std::to_string(self->signal_)));
      } else {
        self->done_(task_outcome::success(nullptr));
      }
    });
  }
  bool terminate(int sig) noexcept override {
    signal_ = sig;
    timer_.cancel();
    return true;
  }

 private:
  net::steady_timer timer_;
  outcome_fn done_;
  int signal_ = 0;
};

void post_outcome(net::any_io_executor ex, outcome_fn done, task_outcome o) {
  net::post(ex, [done = std::move(done), o = std::move(o)]() mutable { done(std::move(o)); });
}

}  // namespace

std::shared_ptr<running_task> run_noop(net::any_io_executor ex, const task_call&, outcome_fn done) {
  post_outcome(ex, std::move(done), task_outcome::success(nullptr));
  return nullptr;
}

std::shared_ptr<running_task> run_echo(net::any_io_executor ex, const task_call& call,
                                       outcome_fn done) {
  post_outcome(ex, std::move(done), task_outcome::success(call.args));
  return nullptr;
}

std::shared_ptr<running_task> run_sleep(net::any_io_executor ex, const task_call& call,
                                        outcome_fn done) {
  const json* v = nullptr;
  if (call.args.is_array() && !call.args.empty())
    v = &call.args[0];
  else if (call.kwargs.is_object() && call.kwargs.contains("seconds"))
    v = &call.kwargs["seconds"];
  if (v == nullptr || !v->is_number() || v->get<double>() < 0 || v->get<double>() > 86400) {
    post_outcome(ex, std::move(done),
                 task_outcome::failure("TypeError", "builtins",
                                       "sleep takes one argument, the seconds (0 to 86400)"));
    return nullptr;
  }
  auto run = std::make_shared<sleep_run>(ex, std::move(done));
  run->start(std::chrono::milliseconds(std::llround(v->get<double>() * 1000)));
  return run;
}

std::shared_ptr<running_task> run_health_check(net::any_io_executor ex, const task_call& call,
                                               outcome_fn done, const builtin_options& options,
                                               blocking_pool& pool) {
  trace::context parent = trace::extract_context(
      call.traceparent.empty() ? std::nullopt : std::optional<std::string_view>(call.traceparent),
      std::nullopt, std::nullopt);
  net::post(pool.executor(), [ex, done = std::move(done), url = options.health_url,
                              timeout = options.health_timeout,
                              parent = std::move(parent)]() mutable {
    // One client per pool thread, kept alive between checks; its spans are the run span's
    // children (the context made current here) and it sends their traceparent.
    thread_local http::client client([timeout] {
      http::client_options o;
      o.timeout = timeout;
      o.user_agent = "vmterm-worker/0.1";
      o.observer = http::make_client_tracing("vmterm-worker");
      return o;
    }());
    trace::context_scope scope(parent);
    const auto start = std::chrono::steady_clock::now();
    http::request req;
    req.url = url;
    auto res = client.send(std::move(req));
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    task_outcome o;
    if (!res) {
      o = task_outcome::failure("HealthCheckFailed", "vmterm", res.error().message);
    } else if (res->status < 200 || res->status > 299) {
      o = task_outcome::failure(
          "HealthCheckFailed", "vmterm",
          "GET '" + url + "': HTTP " + std::to_string(res->status) + " " + res->reason);
    } else {
      o = task_outcome::success({{"status", "ok"},
                                 {"http_status", res->status},
                                 {"latency_ms", std::round(ms * 1000) / 1000}});
    }
    post_outcome(ex, std::move(done), std::move(o));
  });
  return nullptr;
}

}  // namespace vmterm::worker
