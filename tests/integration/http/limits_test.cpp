#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <thread>

#include "ports.hpp"
#include "server_fixture.hpp"

using namespace vmterm;
using namespace std::chrono_literals;
using test::make_request;
using test::reply;

namespace {

http::router echo_routes() {
  http::router r;
  r.add("POST", "/echo", [](const http::request& req, const http::request_context&) {
    return http::text_response(200, req.body);
  });
  r.add("GET", "/hello", reply("hello"));
  return r;
}

}  // namespace

TEST_CASE("A body over the limit gets 413", "[integration][http]") {
  http::server_options opt;
  opt.body_limit = 1000;
  test::server_fixture f(echo_routes(), opt);
  http::client c;
  auto res = c.send(make_request("POST", f.url("/echo"), {}, std::string(1000, 'a')));
  REQUIRE(res);
  CHECK(res->status == 200);
  res = c.send(make_request("POST", f.url("/echo"), {}, std::string(200000, 'a')));
  REQUIRE(res);
  CHECK(res->status == 413);
  CHECK(res->headers.get("Connection") == "close");
  CHECK(res->headers.contains("X-Request-ID"));
}

TEST_CASE("A malformed request gets 400 and headers over the limit get 431",
          "[integration][http]") {
  http::server_options opt;
  opt.header_limit = 1024;
  test::server_fixture f(echo_routes(), opt);
  const auto bad =
      test::tcp_exchange(f.port, "GET /hello HTTP/1.1\r\nBad Header\r\n\r\n", 1 << 20, 3s);
  REQUIRE(bad);
  CHECK(bad->starts_with("HTTP/1.1 400 Bad Request\r\n"));
  const auto big = test::tcp_exchange(
      f.port, "GET /hello HTTP/1.1\r\nX-Big: " + std::string(2000, 'b') + "\r\n\r\n", 1 << 20, 3s);
  REQUIRE(big);
  CHECK(big->starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
}

TEST_CASE("A slow client that never finishes its headers gets 408 after the read timeout",
          "[integration][http]") {
  http::server_options opt;
  opt.read_timeout = 300ms;
  test::server_fixture f(echo_routes(), opt);
  const auto start = std::chrono::steady_clock::now();
  const auto got = test::tcp_exchange(f.port, "GET /hello HTTP/1.1\r\nHost: x\r\n", 1 << 20, 5s);
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE(got);
  CHECK(got->starts_with("HTTP/1.1 408 Request Timeout\r\n"));
  CHECK(got->find("Connection: close\r\n") != std::string::npos);
  CHECK(got->ends_with("408 Request Timeout\n"));
  CHECK(took >= 250ms);
  CHECK(took < 3s);
  CHECK(test::wait_until([&] { return f.server->connections() == 0; }, 2s));
}

TEST_CASE("A slow body also gets 408, and a fast keep-alive client is not cut off",
          "[integration][http]") {
  http::server_options opt;
  opt.read_timeout = 300ms;
  test::server_fixture f(echo_routes(), opt);
  const auto slow = test::tcp_exchange(
      f.port, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc", 1 << 20, 5s);
  REQUIRE(slow);
  CHECK(slow->starts_with("HTTP/1.1 408 Request Timeout\r\n"));
  // Two requests on one connection, each well within the read timeout, across more than one
  // read timeout in total: the timer of the first must not cut the second.
  http::client c;
  for (int i = 0; i < 3; ++i) {
    const auto res = c.send(make_request("GET", f.url("/hello")));
    REQUIRE(res);
    CHECK(res->status == 200);
    std::this_thread::sleep_for(150ms);
  }
}

TEST_CASE("An idle keep-alive connection is closed after the idle timeout", "[integration][http]") {
  http::server_options opt;
  opt.idle_timeout = 300ms;
  test::server_fixture f(echo_routes(), opt);
  const auto start = std::chrono::steady_clock::now();
  const auto got =
      test::tcp_exchange(f.port, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", 1 << 20, 5s);
  REQUIRE(got);
  CHECK(got->starts_with("HTTP/1.1 200 OK"));
  CHECK(std::chrono::steady_clock::now() - start < 3s);
  CHECK(test::wait_until([&] { return f.server->connections() == 0; }, 2s));
}

TEST_CASE("Connections beyond the connection limit are closed at once", "[integration][http]") {
  http::server_options opt;
  opt.max_connections = 1;
  test::server_fixture f(echo_routes(), opt);
  boost::asio::io_context io;
  boost::asio::ip::tcp::socket held(io);
  held.connect({boost::asio::ip::make_address("127.0.0.1"), f.port});
  REQUIRE(test::wait_until([&] { return f.server->connections() == 1; }, 2s));
  const auto refused =
      test::tcp_exchange(f.port, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", 1 << 20, 2s);
  CHECK((!refused || refused->empty()));  // closed before or after our request went out
  held.close();
  REQUIRE(test::wait_until([&] { return f.server->connections() == 0; }, 2s));
  const auto served =
      test::tcp_exchange(f.port, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", 1 << 20, 1s);
  REQUIRE(served);
  CHECK(served->starts_with("HTTP/1.1 200 OK"));
}
