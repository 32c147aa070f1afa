#include <atomic>
#include <chrono>
#include <future>

#include "ports.hpp"
#include "server_fixture.hpp"

using namespace vmterm;
using namespace std::chrono_literals;
using test::make_request;
using test::reply;

TEST_CASE("Port 0 reports the chosen port and a taken port gives a clear error",
          "[integration][http]") {
  http::router r;
  r.add("GET", "/hello", reply("hello"));
  test::server_fixture first(std::move(r));
  CHECK(first.port != 0);
  boost::asio::io_context ioc;
  http::server_options opt;
  opt.listen = "127.0.0.1:" + std::to_string(first.port);
  http::server second(ioc, opt, http::router{});
  const auto ep = second.listen();
  REQUIRE_FALSE(ep);
  CHECK(ep.error().message == "listen on '127.0.0.1:" + std::to_string(first.port) +
                                  "': address already in use; stop what holds the port or "
                                  "choose another address");
  CHECK(ep.error().code == std::errc::address_in_use);
}

TEST_CASE("A free loopback port from the test support can be listened on", "[integration][http]") {
  const auto port = test::free_loopback_port();
  boost::asio::io_context ioc;
  http::server_options opt;
  opt.listen = "127.0.0.1:" + std::to_string(port);
  http::server s(ioc, opt, http::router{});
  const auto ep = s.listen();
  REQUIRE(ep);
  CHECK(*ep == http::endpoint{"127.0.0.1", port});
  const auto again = s.listen();
  REQUIRE_FALSE(again);
  CHECK(again.error().message == "listen on '127.0.0.1:" + std::to_string(port) +
                                     "': the server is already listening or stopped");
  s.stop();
  ioc.run();  // returns by itself: nothing left to do after stop
}

TEST_CASE("A bad listen address is a configuration error naming the input", "[integration][http]") {
  boost::asio::io_context ioc;
  http::server_options opt;
  opt.listen = "127.0.0.1";
  CHECK_THROWS_WITH(http::server(ioc, opt, http::router{}),
                    "parse listen address '127.0.0.1': missing port; use HOST:PORT such as "
                    "127.0.0.1:8000");
}

TEST_CASE(
    "Graceful stop lets the request in flight finish, closes idle connections and run returns",
    "[integration][http]") {
  std::atomic<bool> entered{false};
  http::router r;
  r.add("GET", "/slow", [&](const http::request&, const http::request_context&) {
    entered = true;
    std::this_thread::sleep_for(400ms);
    return http::text_response(200, "done");
  });
  r.add("GET", "/hello", reply("hello"));
  test::server_fixture f(std::move(r));
  http::client idle;  // keeps an idle keep-alive connection open
  REQUIRE(idle.send(make_request("GET", f.url("/hello"))));
  auto slow = std::async(std::launch::async, [&] {
    http::client c;
    return c.send(make_request("GET", f.url("/slow")));
  });
  REQUIRE(test::wait_until([&] { return entered.load(); }, 5s));
  const auto start = std::chrono::steady_clock::now();
  f.shutdown();  // stop() + join: run() must return by itself
  CHECK(std::chrono::steady_clock::now() - start < 3s);
  const auto res = slow.get();
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == "done");
  CHECK(res->headers.get("Connection") == "close");
  http::client late;
  CHECK_FALSE(late.send(make_request("GET", f.url("/hello")), 1s));
}
