// The test WebSocket client against a minimal echo session on the real HTTP server's upgrade seam.

#include "ws_client.hpp"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <catch2/catch.hpp>
#include <memory>

#include "ports.hpp"

#include "../http/server_fixture.hpp"
#include "http/upgrade.hpp"

namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using namespace vmterm;

/// Echoes every frame with its kind; the text "close" closes with 1008 "asked".
struct echo_session : std::enable_shared_from_this<echo_session> {
  explicit echo_session(http::upgraded_connection c)
      : conn(std::move(c)), ws(http::take_stream(conn)) {}
  http::upgraded_connection conn;
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;

  void start() {
    ws.async_accept(conn.get().raw, [self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->do_read();
    });
  }
  void do_read() {
    buffer.clear();
    ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      if (self->ws.got_text() && beast::buffers_to_string(self->buffer.data()) == "close") {
        self->ws.async_close(websocket::close_reason(websocket::close_code::policy_error, "asked"),
                             [self](beast::error_code) {});
        return;
      }
      self->ws.binary(self->ws.got_binary());
      self->ws.async_write(self->buffer.data(), [self](beast::error_code e, std::size_t) {
        if (!e) self->do_read();
      });
    });
  }
};

http::router echo_routes() {
  http::router r;
  r.add_upgrade(
      "GET", "/echo/",
      [](const http::request&, const http::request_context&, http::upgraded_connection conn) {
        std::make_shared<echo_session>(std::move(conn))->start();
      });
  return r;
}

}  // namespace

TEST_CASE("The test WebSocket client sends and reads binary and text frames",
          "[integration][term]") {
  test::server_fixture f(echo_routes());
  test::ws_client c;
  REQUIRE(c.connect(f.port, "/echo/?x=1", {{{"Origin", "http://127.0.0.1"}}}));
  CHECK(c.status() == 101);
  REQUIRE(c.send_binary(std::string("a\0b", 3)));
  auto fr = c.read();
  REQUIRE(fr.is_binary());
  CHECK(fr.data == std::string("a\0b", 3));
  REQUIRE(c.send_text("{\"type\":\"x\"}"));
  fr = c.read();
  REQUIRE(fr.is_text());
  CHECK(fr.data == "{\"type\":\"x\"}");
  // A read that times out stays pending, and its frame arrives on the next read.
  CHECK(c.read(std::chrono::milliseconds(50)).type == test::ws_frame::kind::timeout);
  REQUIRE(c.send_text("later"));
  fr = c.read();
  CHECK(fr.is_text());
  CHECK(fr.data == "later");
  CHECK(c.close());
  CHECK(c.closed());
}

TEST_CASE("The test WebSocket client keeps the server's close code and reason",
          "[integration][term]") {
  test::server_fixture f(echo_routes());
  test::ws_client c;
  REQUIRE(c.connect(f.port, "/echo/"));
  REQUIRE(c.send_text("close"));
  REQUIRE(c.wait_closed());
  CHECK(c.close_code() == 1008);
  CHECK(c.close_reason() == "asked");
}

TEST_CASE("The test WebSocket client reports a refused upgrade's status and body",
          "[integration][term]") {
  test::server_fixture f(echo_routes());
  test::ws_client c;
  CHECK_FALSE(c.connect(f.port, "/nothing/"));
  CHECK(c.status() == 404);
  CHECK(c.body().find("404") != std::string::npos);
  test::ws_client refused;
  CHECK_FALSE(refused.connect(test::free_loopback_port(), "/echo/"));
  CHECK(refused.status() == 0);
  CHECK_FALSE(refused.error().empty());
}
