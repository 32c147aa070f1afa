// The in-process client side of the queue benchmark (run.sh starts redis-server and
// vmterm-worker, then runs this beside Celery's own client in the same run):
//
//   call_bench roundtrip BROKER_URL BACKEND_URL N [WARMUP [BUSY_POLL_US]]
//     N calls one after another, as an in-process client makes them: lib/queue's result_waiter
//     PSUBSCRIBEs once to the result channels of the ids it hands out (subscribe_own, next_id),
//     then each call is one LPUSH (lib/queue's producer) and the wait for the PUBLISH.
//     Prints "p50 p99" in milliseconds. The loop runs under asio::run_spinning with BUSY_POLL_US
//     (default 250, as `call --wait --busy-poll`; 0: plain run(), blocking at once).
//   call_bench roundtrip-each BROKER_URL BACKEND_URL N [WARMUP [BUSY_POLL_US]]
//     The same, each call as `call --wait` makes it (and as Celery's delay().get()): SUBSCRIBE
//     to the result channel and LPUSH the task at once, then wait for the ready result (the
//     PUBLISH, or one GET that closes the race with a fast worker).
//   Both: one connection each for the producer, the subscriber and the GET, opened once.
//   call_bench enqueue BROKER_URL N [BUSY_POLL_US]
//     N sends one after another, each waiting for its LPUSH's reply (one round trip each),
//     under asio::run_spinning with BUSY_POLL_US (default 250; 0: blocking at once).
//     Prints tasks per second.
//
// The task is `noop` on queue `celery`. Exit 0, or 1 with the error on stderr.

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "asio/spin.hpp"
#include "queue/producer.hpp"
#include "queue/result_backend.hpp"
#include "redis/url.hpp"

namespace {
using namespace vmterm;
namespace net = boost::asio;
using clock_type = std::chrono::steady_clock;

redis::connection_options options_for(const char* url, const char* name) {
  auto u = redis::parse_url(url);
  if (!u) {
    std::fprintf(stderr, "call_bench: %s\n", u.error().message.c_str());
    std::exit(2);
  }
  redis::connection_options o;
  o.url = *u;
  o.reconnect = false;
  o.client_name = name;
  return o;
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "call_bench: %s\n", what.c_str());
  std::exit(1);
}

std::size_t count(const char* text, bool zero_ok = false) {
  char* end = nullptr;
  const auto v = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || (v == 0 && !zero_ok)) {
    std::fprintf(stderr, "call_bench: '%s': not a %s count\n", text,
                 zero_ok ? "whole" : "positive");
    std::exit(2);
  }
  return static_cast<std::size_t>(v);
}

double ms(clock_type::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

int roundtrip(const char* broker, const char* backend, std::size_t n, std::size_t warmup,
              std::chrono::microseconds busy_poll, bool each) {
  net::io_context ioc(1);
  auto conn = redis::connection::create(ioc.get_executor(), options_for(broker, "call_bench"));
  queue::producer producer(conn);
  auto waiter =
      queue::result_waiter::create(ioc.get_executor(), options_for(backend, "call_bench-results"));
  std::vector<double> times;
  times.reserve(n);
  std::size_t i = 0;
  clock_type::time_point t0;
  std::function<void()> next = [&] {
    if (i == warmup + n) {
      waiter->close();
      conn->close();
      return;
    }
    queue::send_options o;
    o.task = "noop";
    o.id = each ? queue::uuid4() : waiter->next_id();
    const std::string id = o.id;
    t0 = clock_type::now();
    auto done = [&, id](expected<queue::result_meta> r) {
      if (!r) die(r.error().message);
      if (r->status != queue::task_state::success) die("task " + id + " did not succeed");
      if (i++ >= warmup) times.push_back(ms(clock_type::now() - t0));
      next();
    };
    if (!each) {  // under the pattern subscribed once: send, then wait for the PUBLISH
      waiter->wait(id, std::chrono::seconds(30), done);
      producer.send(std::move(o), [](expected<queue::sent> r) {
        if (!r) die(r.error().message);
      });
      return;
    }
    // Both at once, as task_call does: the waiter's GET after both closes the race.
    auto pending = std::make_shared<int>(2);
    auto both = [&, pending, id, done] {
      if (--*pending > 0) return;
      waiter->wait(id, std::chrono::seconds(30), done);
    };
    waiter->subscribe(id, [both](expected<void> r) {
      if (!r) die(r.error().message);
      both();
    });
    producer.send(std::move(o), [both](expected<queue::sent> r) {
      if (!r) die(r.error().message);
      both();
    });
  };
  int up = each ? 2 : 3;
  auto connected = [&](expected<void> r) {
    if (!r) die(r.error().message);
    if (--up == 0) next();
  };
  conn->async_connect(connected);
  waiter->async_connect(connected);
  if (!each) waiter->subscribe_own(connected);
  asio::run_spinning(ioc, busy_poll);
  if (times.size() != n) die("only " + std::to_string(times.size()) + " calls finished");
  std::sort(times.begin(), times.end());
  std::printf("%.3f %.3f\n", times[n / 2], times[std::min(n - 1, n * 99 / 100)]);
  return 0;
}

int enqueue(const char* broker, std::size_t n, std::chrono::microseconds busy_poll) {
  net::io_context ioc(1);
  auto conn = redis::connection::create(ioc.get_executor(), options_for(broker, "call_bench"));
  queue::producer producer(conn);
  std::size_t i = 0;
  clock_type::time_point t0;
  std::function<void()> next = [&] {
    if (i == n) return conn->close();
    queue::send_options o;
    o.task = "noop";
    o.ignore_result = true;
    producer.send(std::move(o), [&](expected<queue::sent> r) {
      if (!r) die(r.error().message);
      ++i;
      next();
    });
  };
  conn->async_connect([&](expected<void> r) {
    if (!r) die(r.error().message);
    t0 = clock_type::now();
    next();
  });
  asio::run_spinning(ioc, busy_poll);
  std::printf("%.0f\n", static_cast<double>(n) / (ms(clock_type::now() - t0) / 1000));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if ((mode == "roundtrip" || mode == "roundtrip-each") && argc >= 5 && argc <= 7) {
    const auto busy_poll = std::chrono::microseconds(argc == 7 ? count(argv[6], true) : 250);
    return roundtrip(argv[2], argv[3], count(argv[4]), argc >= 6 ? count(argv[5]) : 20, busy_poll,
                     mode == "roundtrip-each");
  }
  if (mode == "enqueue" && (argc == 4 || argc == 5)) {
    return enqueue(argv[2], count(argv[3]),
                   std::chrono::microseconds(argc == 5 ? count(argv[4], true) : 250));
  }
  std::fprintf(stderr,
               "usage: call_bench roundtrip|roundtrip-each BROKER_URL BACKEND_URL N [WARMUP "
               "[BUSY_POLL_US]]\n"
               "       call_bench enqueue BROKER_URL N [BUSY_POLL_US]\n");
  return 2;
}
