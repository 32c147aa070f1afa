// The bridge over TLS: the same session code on Beast's SSL stream.

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <catch2/catch.hpp>
#include <future>

#include "hub_fixture.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

using namespace vmterm;
using namespace std::chrono_literals;
namespace net = boost::asio;
namespace beast = boost::beast;

namespace {

/// Types the command over wss:// and returns the output seen until `want` (or everything
/// until the server closed). Synchronous; the caller bounds the time.
std::string over_tls(std::uint16_t port, const std::string& want,
                     const std::string& command = "echo vmterm-$((6*7))") {
  net::io_context ioc;
  net::ssl::context ctx(net::ssl::context::tls_client);
  ctx.set_verify_mode(net::ssl::verify_none);  // a throwaway self-signed certificate
  beast::websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ioc, ctx);
  beast::get_lowest_layer(ws).connect(
      net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  ws.next_layer().handshake(net::ssl::stream_base::client);
  ws.handshake("127.0.0.1:" + std::to_string(port), "/ws/terminal/");
  ws.text(true);
  ws.write(net::buffer(std::string(R"({"type":"resize","cols":80,"rows":24})")));
  ws.binary(true);
  ws.write(net::buffer(command + "\r"));
  std::string output;
  beast::flat_buffer buffer;
  while (output.find(want) == std::string::npos) {
    beast::error_code ec;
    ws.read(buffer, ec);
    if (ec) break;
    if (ws.got_binary()) output += beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
  }
  beast::error_code ignored;
  ws.close(beast::websocket::close_code::normal, ignored);
  return output;
}

/// A throwaway self-signed certificate and key for 127.0.0.1.
http::server_options tls_options(const test::temp_dir& tmp) {
  const auto cert = (tmp / "cert.pem").string();
  const auto key = (tmp / "key.pem").string();
  const auto made = test::run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                               "1", "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert});
  REQUIRE(made.exit_code == 0);
  http::server_options so;
  so.tls_cert = cert;
  so.tls_key = key;
  return so;
}

}  // namespace

TEST_CASE("the bridge works the same over TLS", "[integration][term]") {
  test::temp_dir tmp;
  test::hub_fixture f({}, {}, 2, tls_options(tmp));
  auto output = std::async(std::launch::async, [&f] { return over_tls(f.port, "vmterm-42"); });
  REQUIRE(output.wait_for(20s) == std::future_status::ready);
  CHECK(output.get().find("vmterm-42") != std::string::npos);
}

TEST_CASE("over TLS too, two sessions' shells hold only their own terminals",
          "[integration][term]") {
  test::temp_dir tmp;
  test::hub_fixture f({}, {}, 2, tls_options(tmp));
  // Both sessions are open at once (each sleeps first), so each could inherit the other's
  // connection or PTY if a descriptor were not close-on-exec.
  const std::string listing = "sleep 1; ls -l /proc/$$/fd /proc/self/fd; echo fds-$((6*7))";
  auto a = std::async(std::launch::async, [&] { return over_tls(f.port, "fds-42", listing); });
  auto b = std::async(std::launch::async, [&] { return over_tls(f.port, "fds-42", listing); });
  REQUIRE(a.wait_for(20s) == std::future_status::ready);
  REQUIRE(b.wait_for(20s) == std::future_status::ready);
  for (const auto& out : {a.get(), b.get()}) {
    INFO(out);
    CHECK(out.find("fds-42") != std::string::npos);
    CHECK(out.find("/dev/pts/") != std::string::npos);
    CHECK(out.find("socket:") == std::string::npos);
    CHECK(out.find("pipe:") == std::string::npos);
    CHECK(out.find("anon_inode:") == std::string::npos);
    CHECK(out.find("/dev/ptmx") == std::string::npos);
  }
}
