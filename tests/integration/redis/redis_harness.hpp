#pragma once
// Drives lib/redis on an io_context on the test's thread, against the redis-server fixture.

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "redis/connection.hpp"
#include "redis/subscriber.hpp"

namespace vmterm::test {

using namespace std::chrono_literals;

inline redis::connection_options redis_options(const std::string& url_text) {
  auto u = redis::parse_url(url_text);
  REQUIRE(u.has_value());
  redis::connection_options o;
  o.url = *u;
  o.connect_timeout = 5s;
  return o;
}

struct redis_loop {
  boost::asio::io_context ioc;

  /// Runs the loop until `done()` or `timeout`; true when done.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      if (ioc.stopped()) ioc.restart();
      ioc.run_for(2ms);
    }
    return true;
  }

  /// Runs the loop for `d` whatever happens.
  void run_for(std::chrono::milliseconds d) {
    const auto deadline = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < deadline) {
      if (ioc.stopped()) ioc.restart();
      ioc.run_for(2ms);
    }
  }

  std::shared_ptr<redis::connection> make(redis::connection_options o) {
    return redis::connection::create(ioc.get_executor(), std::move(o));
  }

  expected<void> connect(redis::connection& c) {
    std::optional<expected<void>> out;
    c.async_connect([&](expected<void> r) { out = std::move(r); });
    REQUIRE(run_until([&] { return out.has_value(); }, 30s));
    return *out;
  }

  /// A connected connection (REQUIREs success).
  std::shared_ptr<redis::connection> open(redis::connection_options o) {
    auto c = make(std::move(o));
    auto r = connect(*c);
    INFO((r ? std::string("ok") : r.error().message));
    REQUIRE(r.has_value());
    return c;
  }

  expected<redis::reply> exec(redis::connection& c, redis::command cmd,
                              std::chrono::milliseconds timeout = 10s) {
    std::optional<expected<redis::reply>> out;
    c.exec(std::move(cmd), [&](expected<redis::reply> r) { out = std::move(r); });
    REQUIRE(run_until([&] { return out.has_value(); }, timeout));
    return std::move(*out);
  }

  expected<std::vector<redis::reply>> pipeline(redis::connection& c,
                                               std::vector<redis::command> cmds) {
    std::optional<expected<std::vector<redis::reply>>> out;
    c.pipeline(std::move(cmds), [&](expected<std::vector<redis::reply>> r) { out = std::move(r); });
    REQUIRE(run_until([&] { return out.has_value(); }));
    return std::move(*out);
  }

  expected<redis::reply> eval(redis::connection& c, const redis::script& s,
                              std::vector<std::string> keys, std::vector<std::string> args) {
    std::optional<expected<redis::reply>> out;
    c.eval(s, std::move(keys), std::move(args),
           [&](expected<redis::reply> r) { out = std::move(r); });
    REQUIRE(run_until([&] { return out.has_value(); }));
    return std::move(*out);
  }
};

}  // namespace vmterm::test
