#include <array>
#include <atomic>
#include <boost/asio/write.hpp>

#include "http/static_files.hpp"
#include "http/upgrade.hpp"
#include "ports.hpp"
#include "server_fixture.hpp"

using namespace vmterm;
using test::make_request;
using test::reply;

namespace {

http::router sample_routes() {
  http::router r;
  r.add("GET", "/hello", reply("hello"));
  r.add("POST", "/echo", [](const http::request& req, const http::request_context& ctx) {
    return http::text_response(200, req.method + " " + ctx.path + " " + req.body);
  });
  return r;
}

int count_of(const std::string& text, std::string_view what) {
  int n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("The server answers 200, 404 and 405 with Allow", "[integration][http]") {
  test::server_fixture f(sample_routes());
  http::client c;
  auto res = c.send(make_request("GET", f.url("/hello")));
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == "hello");
  res = c.send(make_request("POST", f.url("/echo?secret=1"), {}, "data"));
  REQUIRE(res);
  CHECK(res->body == "POST /echo data");
  res = c.send(make_request("GET", f.url("/missing")));
  REQUIRE(res);
  CHECK(res->status == 404);
  res = c.send(make_request("DELETE", f.url("/hello")));
  REQUIRE(res);
  CHECK(res->status == 405);
  CHECK(res->headers.get("Allow") == "GET, HEAD");
}

TEST_CASE("The server answers HEAD with the GET headers and no body", "[integration][http]") {
  test::server_fixture f(sample_routes());
  http::client c;
  auto res = c.send(make_request("HEAD", f.url("/hello")));
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body.empty());
  CHECK(res->headers.get("Content-Length") == "5");
  res = c.send(make_request("GET", f.url("/hello")));  // the connection is still in sync
  REQUIRE(res);
  CHECK(res->body == "hello");
  res = c.send(make_request("HEAD", f.url("/missing")));
  REQUIRE(res);
  CHECK(res->status == 404);
  CHECK(res->body.empty());
  res = c.send(make_request("GET", f.url("/hello")));
  REQUIRE(res);
  CHECK(res->body == "hello");
}

TEST_CASE("The server keeps connections alive and honours Connection: close",
          "[integration][http]") {
  test::server_fixture f(sample_routes());
  const std::string one = "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
  const auto both = test::tcp_exchange(f.port, one + one, 1 << 20, std::chrono::milliseconds(800));
  REQUIRE(both);
  CHECK(count_of(*both, "HTTP/1.1 200 OK") == 2);
  const std::string closing = "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const auto start = std::chrono::steady_clock::now();
  const auto once = test::tcp_exchange(f.port, closing + one, 1 << 20, std::chrono::seconds(5));
  REQUIRE(once);
  CHECK(count_of(*once, "HTTP/1.1 200 OK") == 1);
  CHECK(once->find("Connection: close") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(4));  // closed by server
}

TEST_CASE("Concurrent clients are all served", "[integration][http]") {
  test::server_fixture f(sample_routes(), {}, 2);
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 6; ++i) {
    clients.emplace_back([&] {
      http::client c;
      for (int j = 0; j < 15; ++j) {
        const auto res = c.send(make_request("GET", f.url("/hello")));
        if (res && res->status == 200 && res->body == "hello") ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  CHECK(ok == 90);
}

TEST_CASE("Embedded files get an ETag and a matching If-None-Match gets 304",
          "[integration][http]") {
  static constexpr std::array<embedded_file, 1> files{
      {{"app.js", "text/javascript; charset=utf-8", "\"00112233aabbccdd\"", "let x = 1;"}}};
  http::router r;
  r.add("GET", "/static/*", http::embedded_files_handler(files));
  test::server_fixture f(std::move(r));
  http::client c;
  auto res = c.send(make_request("GET", f.url("/static/app.js")));
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->headers.get("Content-Type") == "text/javascript; charset=utf-8");
  REQUIRE(res->headers.get("ETag") == "\"00112233aabbccdd\"");
  res = c.send(
      make_request("GET", f.url("/static/app.js"), {{"If-None-Match", "\"00112233aabbccdd\""}}));
  REQUIRE(res);
  CHECK(res->status == 304);
  CHECK(res->body.empty());
  res = c.send(make_request("GET", f.url("/static/none.js")));
  REQUIRE(res);
  CHECK(res->status == 404);
}

TEST_CASE("Routes are mounted under the base path and the bare mount redirects",
          "[integration][http]") {
  http::router r("/vmterm/");
  r.add("GET", "/", reply("page"));
  r.add("GET", "/hello", reply("hello"));
  test::server_fixture f(std::move(r));
  http::client c;
  auto res = c.send(make_request("GET", f.url("/vmterm")));
  REQUIRE(res);
  CHECK(res->status == 308);
  CHECK(res->headers.get("Location") == "/vmterm/");
  res = c.send(make_request("GET", f.url("/vmterm/")));
  REQUIRE(res);
  CHECK(res->body == "page");
  res = c.send(make_request("GET", f.url("/vmterm/hello")));
  REQUIRE(res);
  CHECK(res->body == "hello");
  res = c.send(make_request("GET", f.url("/hello")));
  REQUIRE(res);
  CHECK(res->status == 404);
}

TEST_CASE("An upgrade route takes over the connection", "[integration][http]") {
  http::router r;
  r.add_upgrade("GET", "/ws/",
                [](const http::request& req, const http::request_context& ctx,
                   http::upgraded_connection conn) {
                  auto stream = http::take_stream(conn);
                  const std::string out = "HTTP/1.1 101 Switching Protocols\r\n\r\ntook " +
                                          ctx.path + " " +
                                          std::string(req.headers.get("Upgrade").value_or("")) +
                                          " " + std::string(conn.get().raw.target());
                  boost::system::error_code ec;
                  boost::asio::write(stream.socket(), boost::asio::buffer(out), ec);
                  stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
                });
  test::server_fixture f(std::move(r));
  const auto got = test::tcp_exchange(
      f.port, "GET /ws/ HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
      1 << 20, std::chrono::seconds(3));
  REQUIRE(got);
  CHECK(*got == "HTTP/1.1 101 Switching Protocols\r\n\r\ntook /ws/ websocket /ws/");
  http::client c;
  const auto plain = c.send(make_request("GET", f.url("/ws/")));
  REQUIRE(plain);
  CHECK(plain->status == 426);
}
