// queue::task_call, which vmterm-health --task runs, against a real redis-server: the
// connections and the subscribe/send go out at once, and the result still always arrives.
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "ports.hpp"
#include "queue/result_backend.hpp"
#include "queue/task_call.hpp"
#include "redis/connection.hpp"
#include "redis_server.hpp"

namespace {

using namespace vmterm;
using namespace std::chrono_literals;

/// Every case runs with the commands waiting for their connections and riding behind the
/// handshakes (pipeline_handshake, as vmterm-health --task).
bool early = false;

redis::connection_options options_for(const std::string& url) {
  redis::connection_options o;
  o.pipeline_handshake = early;
  o.url = *redis::parse_url(url);
  o.connect_timeout = 5s;
  o.command_timeout = 5s;
  o.reconnect = false;
  return o;
}

queue::task_call_options call_options(const std::string& broker, const std::string& backend,
                                      const std::string& id) {
  queue::task_call_options co{options_for(broker), options_for(backend), {}, 5s};
  co.task.task = "noop";
  co.task.id = id;
  return co;
}

queue::result_meta success(const std::string& id) {
  queue::result_meta m;
  m.task_id = id;
  m.result = 42;
  m.date_done =
      std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
  return m;
}

/// Runs `ioc` until `done` holds a value or 10 s pass.
template <class T>
bool run_until(boost::asio::io_context& ioc, const std::optional<T>& done) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done && std::chrono::steady_clock::now() < deadline) ioc.run_one_until(deadline);
  return done.has_value();
}

}  // namespace

TEST_CASE("task_call: a worker that answers at once is never missed", "[health][task]") {
  early = GENERATE(false, true);
  test::redis_server server;
  boost::asio::io_context ioc{1};
  // A worker as fast as can be: it takes the message the moment the LPUSH lands and stores
  // (SETEX + PUBLISH) at once, racing the call's SUBSCRIBE on the other connection.
  auto worker = redis::connection::create(ioc.get_executor(), options_for(server.url()));
  queue::result_backend backend(worker);
  std::optional<bool> stored;
  worker->async_connect([&](expected<void> up) {
    REQUIRE(up);
    worker->exec({"BLPOP", "celery", "5"}, [&](expected<redis::reply> taken) {
      REQUIRE(taken);
      REQUIRE_FALSE(taken->is_nil());
      backend.store(success("fast-1"), [&](expected<bool> r) { stored = r && *r; });
    });
  });
  std::optional<expected<queue::result_meta>> got;
  auto call = queue::task_call::start(ioc.get_executor(),
                                      call_options(server.url(), server.url(), "fast-1"),
                                      [&](expected<queue::result_meta> r) { got = std::move(r); });
  REQUIRE(run_until(ioc, got));
  REQUIRE(got->has_value());
  CHECK((*got)->result == 42);
  CHECK(call->stage() == queue::task_call_stage::done);
  REQUIRE(run_until(ioc, stored));  // its EVAL's answer may come after the PUBLISH
  CHECK(*stored);
  call->close();
  worker->close();
}

TEST_CASE("task_call: a result stored before the call is found by its GET", "[health][task]") {
  early = GENERATE(false, true);
  test::redis_server server;
  boost::asio::io_context ioc{1};
  auto conn = redis::connection::create(ioc.get_executor(), options_for(server.url()));
  queue::result_backend backend(conn);
  std::optional<bool> stored;
  conn->async_connect([&](expected<void> up) {
    REQUIRE(up);
    backend.store(success("early-1"), [&](expected<bool> r) { stored = r && *r; });
  });
  REQUIRE(run_until(ioc, stored));
  std::optional<expected<queue::result_meta>> got;
  const auto started = std::chrono::steady_clock::now();
  auto call = queue::task_call::start(ioc.get_executor(),
                                      call_options(server.url(), server.url(), "early-1"),
                                      [&](expected<queue::result_meta> r) { got = std::move(r); });
  REQUIRE(run_until(ioc, got));
  REQUIRE(got->has_value());
  CHECK((*got)->result == 42);
  CHECK(std::chrono::steady_clock::now() - started < 5s);  // not the wait's timeout
  call->close();
  conn->close();
}

TEST_CASE("task_call: a refused broker or backend is named by the stage", "[health][task]") {
  early = GENERATE(false, true);
  test::redis_server server;
  const auto dead = "redis://127.0.0.1:" + std::to_string(test::free_loopback_port());
  boost::asio::io_context ioc{1};
  SECTION("the broker refuses, the backend answers") {
    std::optional<expected<queue::result_meta>> got;
    auto call =
        queue::task_call::start(ioc.get_executor(), call_options(dead, server.url(), "b-1"),
                                [&](expected<queue::result_meta> r) { got = std::move(r); });
    REQUIRE(run_until(ioc, got));
    REQUIRE_FALSE(got->has_value());
    CHECK(got->error().code == std::errc::connection_refused);
    CHECK(call->stage() == queue::task_call_stage::connect);
    call->close();
  }
  SECTION("the broker answers, the backend refuses") {
    std::optional<expected<queue::result_meta>> got;
    auto call =
        queue::task_call::start(ioc.get_executor(), call_options(server.url(), dead, "b-2"),
                                [&](expected<queue::result_meta> r) { got = std::move(r); });
    REQUIRE(run_until(ioc, got));
    REQUIRE_FALSE(got->has_value());
    CHECK(got->error().code == std::errc::connection_refused);
    CHECK(call->stage() == queue::task_call_stage::connect_backend);
    call->close();
  }
  ioc.restart();
  ioc.poll();
}

TEST_CASE("task_call: results in the broker's db take two connections, another db three",
          "[health][task]") {
  early = GENERATE(false, true);
  const bool same_db = GENERATE(true, false);
  test::redis_server server;
  const auto backend_url = server.url(same_db ? 0 : 1);
  boost::asio::io_context ioc{1};
  auto conn = redis::connection::create(ioc.get_executor(), options_for(backend_url));
  queue::result_backend backend(conn);
  std::optional<bool> stored;
  conn->async_connect([&](expected<void> up) {
    REQUIRE(up);
    backend.store(success("conns-1"), [&](expected<bool> r) { stored = r && *r; });
  });
  REQUIRE(run_until(ioc, stored));
  // Redis counts every connection it accepted (INFO stats: total_connections_received).
  auto accepted = [&] {
    std::optional<long> n;
    conn->exec({"INFO", "stats"}, [&](expected<redis::reply> r) {
      REQUIRE(r);
      const auto text = r->text();
      const auto at = text.find("total_connections_received:");
      REQUIRE(at != std::string::npos);
      n = std::stol(text.substr(at + 27));
    });
    REQUIRE(run_until(ioc, n));
    return *n;
  };
  const long before = accepted();
  std::optional<expected<queue::result_meta>> got;
  auto call = queue::task_call::start(ioc.get_executor(),
                                      call_options(server.url(), backend_url, "conns-1"),
                                      [&](expected<queue::result_meta> r) { got = std::move(r); });
  REQUIRE(run_until(ioc, got));
  REQUIRE(got->has_value());
  CHECK((*got)->result == 42);
  CHECK(accepted() - before == (same_db ? 2 : 3));
  call->close();
  conn->close();
}
