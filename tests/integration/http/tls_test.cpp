// HTTPS: the server with a self-signed certificate made by openssl(1) for the test, the
// library's client verifying it, a raw TLS client for what the library's client cannot send,
// and the configuration errors for bad TLS files.

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <functional>
#include <memory>

#include "http/upgrade.hpp"
#include "ports.hpp"
#include "process.hpp"
#include "self_signed_cert.hpp"
#include "server_fixture.hpp"
#include "temp_dir.hpp"
#include "trace/in_memory_exporter.hpp"
#include "trace/processor.hpp"
#include "trace/tracer.hpp"

using namespace vmterm;
using namespace std::chrono_literals;
using test::make_request;
using test::reply;

namespace net = boost::asio;
namespace beast = boost::beast;

namespace {

using tls_files = test::self_signed_cert;

http::server_options tls_options(const tls_files& files) {
  http::server_options opt;
  opt.tls_cert = files.cert;
  opt.tls_key = files.key;
  return opt;
}

http::client verifying_client(const tls_files& files) {
  http::client_options o;
  o.ca_file = files.cert;
  return http::client(o);
}

/// Connects over TLS (verifying the server against `ca_file`), sends `request` and reads until
/// the server closes or `timeout` passes. nullopt when the connection or handshake failed.
std::optional<std::string> tls_exchange(std::uint16_t port, const std::string& request,
                                        const std::string& ca_file,
                                        std::chrono::milliseconds timeout = 3s) {
  net::io_context io;
  net::ssl::context ctx(net::ssl::context::tls_client);
  ctx.load_verify_file(ca_file);
  ctx.set_verify_mode(net::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> s(io, ctx);
  auto& tcp = beast::get_lowest_layer(s);
  boost::system::error_code ec;
  tcp.socket().connect({net::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return std::nullopt;
  tcp.expires_after(timeout);
  std::string out;
  bool handshaken = false;
  std::array<char, 4096> buf{};
  std::function<void(boost::system::error_code, std::size_t)> on_read =
      [&](boost::system::error_code e, std::size_t n) {
        out.append(buf.data(), n);
        if (!e) s.async_read_some(net::buffer(buf), on_read);
      };
  s.async_handshake(net::ssl::stream_base::client, [&](boost::system::error_code e) {
    if (e) return;
    handshaken = true;
    net::async_write(s, net::buffer(request), [&](boost::system::error_code w, std::size_t) {
      if (!w) s.async_read_some(net::buffer(buf), on_read);
    });
  });
  io.run();
  if (!handshaken) return std::nullopt;
  return out;
}

/// "<input>: <message>" of the server's configuration error: which input (for the tool to name
/// its flag) and the message, which names the setting and the file.
std::string construct_error(const http::server_options& opt) {
  net::io_context ioc;
  try {
    http::server s(ioc, opt, http::router{});
  } catch (const http::server_config_error& e) {
    switch (e.input()) {
      case http::server_input::listen:
        return std::string("listen: ") + e.what();
      case http::server_input::tls_certificate:
        return std::string("cert: ") + e.what();
      case http::server_input::tls_key:
        return std::string("key: ") + e.what();
    }
  }
  return "<no error>";
}

}  // namespace

TEST_CASE("An HTTPS server answers a verifying client and keeps the connection alive",
          "[integration][http]") {
  const tls_files files;
  auto store = std::make_shared<trace::span_store>();
  trace::tracer_provider_options popt;
  popt.processor =
      std::make_unique<trace::simple_processor>(std::make_unique<trace::in_memory_exporter>(store));
  trace::tracer_provider provider(std::move(popt));
  http::router r;
  r.add("GET", "/hello", reply("hello over TLS"));
  http::server_options opt = tls_options(files);
  opt.tracer = provider.get_tracer("vmterm.http");
  test::server_fixture f(std::move(r), opt);
  CHECK(f.server->tls());
  CHECK(f.url("/hello").starts_with("https://"));
  http::client c = verifying_client(files);
  for (int i = 0; i < 3; ++i) {
    const auto res = c.send(make_request("GET", f.url("/hello")));
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->body == "hello over TLS");
    CHECK(res->headers.contains("Content-Security-Policy"));
  }
  CHECK(f.server->connections() == 1);
  REQUIRE(test::wait_until([&] { return store->spans().size() == 3; }, 2s));
  const auto spans = store->spans();
  const auto* scheme = trace::find_attribute(spans[0].attrs, "url.scheme");
  REQUIRE(scheme != nullptr);
  CHECK(std::get<std::string>(*scheme) == "https");
}

TEST_CASE("An HTTPS server refuses plain HTTP and clients that distrust it, and keeps serving",
          "[integration][http]") {
  const tls_files files;
  http::router r;
  r.add("GET", "/hello", reply("hello"));
  test::server_fixture f(std::move(r), tls_options(files));
  const auto plain =
      test::tcp_exchange(f.port, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", 1 << 20, 3s);
  CHECK((!plain || plain->find("hello") == std::string::npos));
  http::client distrusting;  // the system's CA store does not know our certificate
  CHECK_FALSE(distrusting.send(make_request("GET", f.url("/hello"))));
  http::client c = verifying_client(files);
  const auto res = c.send(make_request("GET", f.url("/hello")));
  REQUIRE(res);
  CHECK(res->status == 200);
}

TEST_CASE("A client that never completes the TLS handshake is closed after the handshake timeout",
          "[integration][http]") {
  const tls_files files;
  http::server_options opt = tls_options(files);
  opt.tls_handshake_timeout = 300ms;
  test::server_fixture f(http::router{}, opt);
  const auto start = std::chrono::steady_clock::now();
  const auto got = test::tcp_exchange(f.port, "", 1 << 20, 5s);
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE(got);
  CHECK(got->empty());
  CHECK(took >= 250ms);
  CHECK(took < 3s);
  CHECK(test::wait_until([&] { return f.server->connections() == 0; }, 2s));
}

TEST_CASE("Over TLS a partial request gets 408 and a refused body 413", "[integration][http]") {
  const tls_files files;
  http::router r;
  r.add("POST", "/echo", reply("ok"));
  http::server_options opt = tls_options(files);
  opt.read_timeout = 300ms;
  opt.body_limit = 10;
  test::server_fixture f(std::move(r), opt);
  const auto slow = tls_exchange(f.port, "GET /echo HTTP/1.1\r\nHost: x\r\n", files.cert);
  REQUIRE(slow);
  CHECK(slow->starts_with("HTTP/1.1 408 Request Timeout\r\n"));
  const auto big = tls_exchange(
      f.port, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n", files.cert);
  REQUIRE(big);
  CHECK(big->starts_with("HTTP/1.1 413 "));
}

TEST_CASE("An upgrade over TLS hands the TLS stream over in impl::tls", "[integration][http]") {
  const tls_files files;
  http::router r;
  r.add_upgrade(
      "GET", "/ws/",
      [](const http::request&, const http::request_context&, http::upgraded_connection conn) {
        auto& c = conn.get();
        const bool tls = c.tls != nullptr;
        const bool placeholder_closed = !c.stream.socket().is_open();
        const std::string out = std::string("HTTP/1.1 101 Switching Protocols\r\n\r\n") +
                                (tls ? "tls" : "no-tls") +
                                (placeholder_closed ? " placeholder-closed" : "");
        if (!tls) return;
        boost::system::error_code ec;
        net::write(*c.tls, net::buffer(out), ec);
        c.tls->next_layer().socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
      });
  test::server_fixture f(std::move(r), tls_options(files));
  const auto got = tls_exchange(
      f.port, "GET /ws/ HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
      files.cert);
  REQUIRE(got);
  CHECK(*got == "HTTP/1.1 101 Switching Protocols\r\n\r\ntls placeholder-closed");
}

TEST_CASE("Stopping an HTTPS server closes idle keep-alive connections and pending handshakes",
          "[integration][http]") {
  const tls_files files;
  http::router r;
  r.add("GET", "/hello", reply("hello"));
  test::server_fixture f(std::move(r), tls_options(files));  // handshake timeout: 10 s
  http::client c = verifying_client(files);
  REQUIRE(c.send(make_request("GET", f.url("/hello"))));
  net::io_context io;
  net::ip::tcp::socket silent(io);  // connects and never starts the handshake
  silent.connect({net::ip::make_address("127.0.0.1"), f.port});
  REQUIRE(test::wait_until([&] { return f.server->connections() == 2; }, 2s));
  const auto start = std::chrono::steady_clock::now();
  f.shutdown();
  CHECK(std::chrono::steady_clock::now() - start < 2s);
  CHECK(f.server->connections() == 0);
}

TEST_CASE("Bad TLS files are configuration errors naming the input, the file and the fault",
          "[integration][http]") {
  const tls_files files;
  http::server_options opt;
  opt.tls_cert = (files.dir / "missing.pem").string();
  opt.tls_key = files.key;
  CHECK(construct_error(opt) == "cert: TLS certificate '" + opt.tls_cert + "': no such file");

  opt.tls_cert = files.cert;
  opt.tls_key = (files.dir / "missing-key.pem").string();
  CHECK(construct_error(opt) == "key: TLS key '" + opt.tls_key + "': no such file");

  opt.tls_cert = files.dir.path().string();
  opt.tls_key = files.key;
  CHECK(construct_error(opt) == "cert: TLS certificate '" + opt.tls_cert + "': is a directory");

  const std::string garbage = (files.dir / "garbage.pem").string();
  test::write_file(garbage, "this is not PEM\n");
  opt.tls_cert = garbage;
  CHECK(construct_error(opt) == "cert: TLS certificate '" + garbage + "': not a PEM certificate");
  // A key is not a certificate either.
  opt.tls_cert = files.key;
  CHECK(construct_error(opt) == "cert: TLS certificate '" + files.key + "': not a PEM certificate");

  opt.tls_cert = files.cert;
  opt.tls_key = garbage;
  CHECK(construct_error(opt) == "key: TLS key '" + garbage + "': not a PEM private key");

  const std::string other = (files.dir / "other-key.pem").string();
  REQUIRE(test::run({"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                     "ec_paramgen_curve:prime256v1", "-out", other})
              .exit_code == 0);
  opt.tls_key = other;
  CHECK(construct_error(opt) ==
        "key: TLS key '" + other + "': key does not match certificate '" + files.cert + "'");

  const std::string encrypted = (files.dir / "encrypted-key.pem").string();
  REQUIRE(test::run({"openssl", "pkey", "-in", files.key, "-aes256", "-passout", "pass:secret",
                     "-out", encrypted})
              .exit_code == 0);
  opt.tls_key = encrypted;
  CHECK(construct_error(opt) == "key: TLS key '" + encrypted +
                                    "': the private key is encrypted; give an unencrypted one "
                                    "(openssl pkey)");

  opt.tls_key.clear();
  CHECK(construct_error(opt) == "cert: TLS certificate '" + files.cert + "' needs a TLS key too");
  opt.tls_cert.clear();
  opt.tls_key = files.key;
  CHECK(construct_error(opt) == "key: TLS key '" + files.key + "' needs a TLS certificate too");

  opt.tls_cert = files.cert;
  CHECK(construct_error(opt) == "<no error>");

  opt.listen = "127.0.0.1";
  CHECK(construct_error(opt).starts_with("listen: parse listen address '127.0.0.1': "));
}
