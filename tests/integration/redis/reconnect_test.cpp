#include "redis_harness.hpp"
#include "redis_server.hpp"

using namespace vmterm;
using namespace vmterm::test;
using redis::command;
using redis::reply;

TEST_CASE("after a Redis restart on the same port, commands succeed again within 2 s",
          "[integration][redis]") {
  redis_server server;
  redis_loop loop;
  auto o = redis_options(server.url());
  o.connect_timeout = 5s;
  auto c = loop.open(o);
  std::vector<redis::connection_state> states;
  c->on_state_change([&](redis::connection_state s) { states.push_back(s); });
  REQUIRE(loop.exec(*c, {"SET", "k", "1"}));

  // A command in flight when the server goes away fails with connection_aborted.
  std::optional<expected<reply>> in_flight;
  c->exec({"BLPOP", "never", "30"}, [&](expected<reply> r) { in_flight = std::move(r); });
  loop.run_for(50ms);
  server.stop();
  REQUIRE(loop.run_until([&] { return in_flight.has_value(); }, 5s));
  REQUIRE_FALSE(*in_flight);
  CHECK(in_flight->error().code == std::errc::connection_aborted);
  CHECK(in_flight->error().message ==
        "redis '" + server.url() +
            "': BLPOP: connection lost (server closed the connection); it may or may not have "
            "run");
  loop.run_for(300ms);  // a few refused reconnect attempts
  CHECK(c->state() != redis::connection_state::ready);

  // A command issued while Redis is down waits for the reconnect.
  std::optional<expected<reply>> queued;
  c->exec({"PING"}, [&](expected<reply> r) { queued = std::move(r); });
  loop.run_for(100ms);
  CHECK_FALSE(queued.has_value());
  server.restart();
  const auto answered = std::chrono::steady_clock::now();
  REQUIRE(loop.run_until([&] { return queued.has_value(); }, 5s));
  const auto back_after = std::chrono::steady_clock::now() - answered;
  INFO("back after " << std::chrono::duration_cast<std::chrono::milliseconds>(back_after).count()
                     << " ms");
  CHECK(back_after < 2s);
  REQUIRE(*queued);
  CHECK(**queued == reply::make_status("PONG"));
  CHECK(loop.exec(*c, {"SET", "k", "2"}));  // a fresh server: the connection just works
  CHECK(c->state() == redis::connection_state::ready);
  CHECK(std::find(states.begin(), states.end(), redis::connection_state::backoff) != states.end());
  CHECK(states.back() == redis::connection_state::ready);
}

TEST_CASE("commands queued while Redis is down fail after the connect timeout",
          "[integration][redis]") {
  redis_server server;
  redis_loop loop;
  auto o = redis_options(server.url());
  o.connect_timeout = 300ms;
  auto c = loop.open(o);
  server.stop();
  loop.run_until([&] { return c->state() != redis::connection_state::ready; }, 2s);
  const auto start = std::chrono::steady_clock::now();
  auto r = loop.exec(*c, {"GET", "k"}, 5s);
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r);
  CHECK(r.error().code == std::errc::timed_out);
  CHECK(r.error().message == "redis '" + server.url() +
                                 "': GET: not connected within 300 ms (connection refused; start "
                                 "redis-server or fix the URL)");
  CHECK(took >= 300ms);
  CHECK(took < 1500ms);
}

TEST_CASE("without reconnect a lost connection stays lost", "[integration][redis]") {
  redis_server server;
  redis_loop loop;
  auto o = redis_options(server.url());
  o.reconnect = false;
  auto c = loop.open(o);
  server.stop();
  auto r = loop.exec(*c, {"PING"});
  REQUIRE_FALSE(r);
  server.restart();
  loop.run_for(300ms);
  CHECK(c->state() == redis::connection_state::idle);
}

TEST_CASE("a command timeout drops the connection and reopens it", "[integration][redis]") {
  redis_server server;
  redis_loop loop;
  auto o = redis_options(server.url());
  o.command_timeout = 200ms;
  auto c = loop.open(o);
  auto r = loop.exec(*c, {"BLPOP", "never", "5"}, 5s);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == std::errc::timed_out);
  CHECK(r.error().message ==
        "redis '" + server.url() +
            "': BLPOP: no reply within 200 ms to BLPOP; the connection was dropped and is being "
            "reopened; it may or may not have run");
  CHECK(loop.exec(*c, {"PING"}).value() == reply::make_status("PONG"));
}
