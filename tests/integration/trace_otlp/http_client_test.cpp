#include "http/client.hpp"

#include <catch2/catch.hpp>

#include "http_test_server.hpp"

namespace {
using namespace vmterm;
using namespace std::chrono_literals;
}  // namespace

TEST_CASE("The HTTP client sends method, target, headers and body and reads the response",
          "[integration][http]") {
  test::http_test_server server;
  server.push({.status = 201,
               .headers = {{"X-Reply", "yes"}},
               .body = "made",
               .delay = {},
               .close = false});
  http::client client;
  http::request req{.method = "PUT",
                    .url = server.url("/a/b?c=d"),
                    .headers = {{"X-One", "1"}},
                    .body = "payload"};
  const auto res = client.send(req);
  REQUIRE(res.has_value());
  CHECK(res->status == 201);
  CHECK(res->reason == "Created");
  CHECK(res->headers.get("x-reply") == "yes");
  CHECK(res->body == "made");
  const auto r = server.requests().at(0);
  CHECK(r.method == "PUT");
  CHECK(r.target == "/a/b?c=d");
  CHECK(r.header("X-One") == "1");
  CHECK(r.header("Host") == "127.0.0.1:" + std::to_string(server.port()));
  CHECK(r.header("Content-Length") == "7");
  CHECK(r.body == "payload");
}

TEST_CASE("The HTTP client keeps one connection per origin", "[integration][http]") {
  test::http_test_server a;
  test::http_test_server b;
  http::client client;
  for (const auto* s : {&a, &a, &b, &a}) {
    REQUIRE(
        client.send({.method = "GET", .url = s->url("/"), .headers = {}, .body = ""}).has_value());
  }
  CHECK(a.connections() == 2);  // the switch to b closed the first one
  CHECK(b.connections() == 1);
}

TEST_CASE("The HTTP client enforces its deadline and the response body limit",
          "[integration][http]") {
  test::http_test_server server;
  server.push({.status = 200, .headers = {}, .body = "late", .delay = 2s, .close = false});
  server.push(
      {.status = 200, .headers = {}, .body = std::string(100, 'x'), .delay = {}, .close = false});
  http::client client({.timeout = 200ms,
                       .user_agent = "t",
                       .body_limit = 10,
                       .verify_tls = true,
                       .observer = nullptr});
  const auto url = server.url("/slow");
  const auto start = std::chrono::steady_clock::now();
  const auto slow = client.send({.method = "GET", .url = url, .headers = {}, .body = ""});
  REQUIRE_FALSE(slow.has_value());
  CHECK(std::chrono::steady_clock::now() - start < 1s);
  CHECK(slow.error().code == std::errc::timed_out);
  CHECK(slow.error().message == "GET '" + url + "': no response within 200 ms");
  const auto big = client.send({.method = "GET", .url = url, .headers = {}, .body = ""}, 2000ms);
  REQUIRE_FALSE(big.has_value());
  CHECK(big.error().code == std::errc::message_size);
  CHECK(big.error().message == "GET '" + url + "': response body exceeds 10 bytes");
}

TEST_CASE("The HTTP client reports a bad URL without sending anything", "[integration][http]") {
  http::client client;
  const auto r = client.send({.method = "GET", .url = "ftp://x/", .headers = {}, .body = ""});
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == std::errc::invalid_argument);
  CHECK(r.error().message ==
        "parse URL 'ftp://x/': scheme 'ftp' is not supported; use http:// or https://");
}
