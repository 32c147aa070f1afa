// permessage-deflate under Beast's WebSocket (term/detail/deflate_layer.hpp) on loopback TCP:
// against Beast's own client-side deflate (an independent implementation), and against raw
// frames written byte by byte for what a client library would never send.

#include "term/detail/deflate_layer.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>

#include "term/detail/permessage_deflate.hpp"

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using vmterm::term::deflate_layer;
namespace pmd = vmterm::term::pmd;
namespace frame = vmterm::term::pmd::frame;

constexpr std::size_t threshold = 256;

/// One server connection on its own thread: negotiates as ws_connection does, then echoes
/// every message (as text or binary, as it came) until the connection ends.
class echo_server {
 public:
  explicit echo_server(std::size_t limit = 1 << 20) : limit_(limit) {}
  ~echo_server() {
    net::post(ioc_, [this] {
      acceptor_.close();
      if (ws_) beast::get_lowest_layer(*ws_).close();
    });
    if (thread_.joinable()) thread_.join();
  }
  echo_server(const echo_server&) = delete;
  echo_server& operator=(const echo_server&) = delete;

  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  void start() {
    acceptor_.async_accept([this](beast::error_code ec, tcp::socket s) {
      if (ec) return;
      ws_.emplace(beast::tcp_stream(std::move(s)));
      beast::http::async_read(
          ws_->next_layer().next_layer(), buffer_, req_, [this](beast::error_code e, std::size_t) {
            if (e) return;
            std::string offers(req_[beast::http::field::sec_websocket_extensions]);
            auto a = pmd::negotiate(offers);
            if (a) {
              ws_->set_option(websocket::stream_base::decorator(
                  [r = a->response](websocket::response_type& res) {
                    res.set(beast::http::field::sec_websocket_extensions, r);
                  }));
            }
            ws_->read_message_max(limit_);
            ws_->auto_fragment(false);  // as ws_connection: one frame per message
            ws_->async_accept(req_, [this, a](beast::error_code e2) {
              if (e2) return;
              if (a) {
                ws_->next_layer().enable(a->server_window_bits, limit_, threshold,
                                         a->server_context_takeover);
              }
              read();
            });
          });
    });
    thread_ = std::thread([this] { ioc_.run(); });
  }

 private:
  void read() {
    in_.clear();
    ws_->async_read(in_, [this](beast::error_code ec, std::size_t) {
      if (ec) return;
      ws_->text(ws_->got_text());
      ws_->async_write(in_.data(), [this](beast::error_code e, std::size_t) {
        if (!e) read();
      });
    });
  }

  std::size_t limit_;
  net::io_context ioc_;
  tcp::acceptor acceptor_{ioc_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)};
  std::optional<websocket::stream<deflate_layer<beast::tcp_stream>>> ws_;
  beast::flat_buffer buffer_;
  beast::http::request<beast::http::string_body> req_;
  beast::flat_buffer in_;
  std::thread thread_;
};

std::string output_like(std::size_t n) {
  std::string s;
  for (int i = 0; s.size() < n; ++i)
    s += "drwxr-xr-x 2 root root 4096 Dec  6 file-" + std::to_string(i) + "\r\n";
  s.resize(n);
  return s;
}

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(gen() & 0xff);
  return s;
}

/// A client speaking raw frames after a hand-written handshake.
struct raw_client {
  net::io_context ioc;
  tcp::socket sock{ioc};
  std::string response;  ///< the handshake's response head

  raw_client(unsigned short port, const std::string& extensions) {
    sock.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    const std::string req =
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Extensions: " +
        extensions + "\r\n\r\n";
    net::write(sock, net::buffer(req));
    std::string b;
    const std::size_t n = net::read_until(sock, net::dynamic_buffer(b), "\r\n\r\n");
    REQUIRE(b.size() == n);  // nothing after the head yet
    response = b;
  }

  /// One masked frame (key 1 2 3 4) with first byte `b0`.
  void send(std::uint8_t b0, const std::string& payload) {
    std::string f = frame::header(b0, payload.size(), true);
    const char key[4] = {1, 2, 3, 4};
    f.replace(f.size() - 4, 4, key, 4);
    for (std::size_t i = 0; i < payload.size(); ++i)
      f += static_cast<char>(payload[i] ^ key[i % 4]);
    net::write(sock, net::buffer(f));
  }

  /// The next frame: its first byte and payload.
  std::pair<std::uint8_t, std::string> receive() {
    std::array<std::uint8_t, 10> h{};
    net::read(sock, net::buffer(h.data(), 2));
    const std::size_t hlen = frame::header_length(h.data(), 2);
    if (hlen > 2) net::read(sock, net::buffer(h.data() + 2, hlen - 2));
    std::string payload(static_cast<std::size_t>(frame::payload_length(h.data())), '\0');
    if (!payload.empty()) net::read(sock, net::buffer(payload));
    return {h[0], payload};
  }

  static std::string compress(const std::string& s) {
    std::string z;
    REQUIRE(pmd::deflate_message({s}, 15, z));
    return z;
  }
};

std::uint16_t close_code(const std::string& payload) {
  REQUIRE(payload.size() >= 2);
  return static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                    static_cast<unsigned char>(payload[1]));
}

}  // namespace

TEST_CASE("deflate layer: Beast's deflating client and the server agree, message by message",
          "[integration][term][deflate]") {
  echo_server server;
  server.start();
  net::io_context ioc;
  websocket::stream<beast::tcp_stream> client(ioc);
  websocket::permessage_deflate pmd_opts;
  pmd_opts.client_enable = true;
  pmd_opts.msg_size_threshold = 0;  // every message compressed, keystrokes too
  client.set_option(pmd_opts);
  client.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
  websocket::response_type res;
  client.handshake(res, "127.0.0.1", "/");
  // Beast offers server_max_window_bits=15: the answer must carry it back.
  CHECK(res[beast::http::field::sec_websocket_extensions] ==
        "permessage-deflate; client_no_context_takeover; server_max_window_bits=15");

  auto round_trip = [&](const std::string& message, bool text) {
    client.text(text);
    client.write(net::buffer(message));
    beast::flat_buffer b;
    client.read(b);
    CHECK(client.got_text() == text);
    return beast::buffers_to_string(b.data());
  };
  CHECK(round_trip("k", true) == "k");                            // a keystroke
  CHECK(round_trip(output_like(200), true) == output_like(200));  // echoed below the threshold
  CHECK(round_trip(output_like(300000), true) == output_like(300000));
  CHECK(round_trip(random_bytes(70000, 3), false) == random_bytes(70000, 3));
  // Fragmented: Beast splits the compressed message into frames of 8 bytes.
  client.auto_fragment(true);
  client.write_buffer_bytes(8);
  CHECK(round_trip(output_like(5000), true) == output_like(5000));
  // Again: the server's window still holds the first (context takeover); Beast's client,
  // which keeps its decompressor, reads the back references.
  CHECK(round_trip(output_like(5000), true) == output_like(5000));
  CHECK(round_trip(output_like(3), false) == output_like(3));
  client.close(websocket::close_code::normal);
}

TEST_CASE(
    "deflate layer: large frames go out compressed, small ones plain; fragments and a "
    "ping between them are read",
    "[integration][term][deflate]") {
  echo_server server;
  server.start();
  // Each message inflated alone below: the client asks the server for no context takeover.
  raw_client c(server.port(), "permessage-deflate; server_no_context_takeover");
  CHECK(c.response.find("\r\nSec-WebSocket-Extensions: permessage-deflate; "
                        "server_no_context_takeover; client_no_context_takeover\r\n") !=
        std::string::npos);

  const std::string big = output_like(20000);
  c.send(frame::fin | frame::rsv1 | frame::text, raw_client::compress(big));
  auto [b0, payload] = c.receive();
  CHECK(b0 == (frame::fin | frame::rsv1 | frame::text));
  CHECK(payload.size() < big.size() / 3);
  std::string back;
  REQUIRE(pmd::inflate_message(payload, 1 << 20, back) == pmd::inflate_result::ok);
  CHECK(back == big);

  // An uncompressed message is still a message (RFC 7692: per message), and a short echo
  // goes back plain.
  c.send(frame::fin | frame::text, "ls\r");
  auto [b1, p1] = c.receive();
  CHECK(b1 == (frame::fin | frame::text));
  CHECK(p1 == "ls\r");

  // A compressed message in three frames with a ping between the second and the third.
  const std::string z = raw_client::compress(output_like(1000));
  c.send(frame::rsv1 | frame::binary, z.substr(0, 5));
  c.send(frame::continuation, z.substr(5, 10));
  c.send(frame::fin | 0x9, "are you there");
  c.send(frame::fin | frame::continuation, z.substr(15));
  auto [b2, p2] = c.receive();
  CHECK(b2 == (frame::fin | 0xA));  // the pong first: the message was not complete
  CHECK(p2 == "are you there");
  auto [b3, p3] = c.receive();
  CHECK(b3 == (frame::fin | frame::rsv1 | frame::binary));
  REQUIRE(pmd::inflate_message(p3, 1 << 20, back) == pmd::inflate_result::ok);
  CHECK(back == output_like(1000));
}

TEST_CASE("deflate layer: a message that is not deflate closes with 1007",
          "[integration][term][deflate]") {
  echo_server server;
  server.start();
  raw_client c(server.port(), "permessage-deflate; client_max_window_bits");
  c.send(frame::fin | frame::rsv1 | frame::binary, std::string("\xff\xff\xff\xff\xff\xff", 6));
  auto [b0, payload] = c.receive();
  CHECK(b0 == (frame::fin | 0x8));
  CHECK(close_code(payload) == 1007);
}

TEST_CASE("deflate layer: a message that inflates past the limit closes with 1009",
          "[integration][term][deflate]") {
  echo_server server(4096);
  server.start();
  raw_client c(server.port(), "permessage-deflate");
  c.send(frame::fin | frame::rsv1 | frame::text, raw_client::compress(std::string(100000, 'a')));
  auto [b0, payload] = c.receive();
  CHECK(b0 == (frame::fin | 0x8));
  CHECK(close_code(payload) == 1009);
}

TEST_CASE("deflate layer: without an offer nothing is compressed", "[integration][term][deflate]") {
  echo_server server;
  server.start();
  raw_client c(server.port(), "x-unknown");
  CHECK(c.response.find("Sec-WebSocket-Extensions") == std::string::npos);
  const std::string big = output_like(20000);
  c.send(frame::fin | frame::text, big);
  auto [b0, payload] = c.receive();
  CHECK(b0 == (frame::fin | frame::text));
  CHECK(payload == big);
  // RSV1 without the extension is a protocol error (1002), as before.
  c.send(frame::fin | frame::rsv1 | frame::text, raw_client::compress(big));
  auto [b1, p1] = c.receive();
  CHECK(b1 == (frame::fin | 0x8));
  CHECK(close_code(p1) == 1002);
}
