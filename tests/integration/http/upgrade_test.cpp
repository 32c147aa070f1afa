// The upgrade seam: gates run inside the request middleware, refusals are ordinary responses,
// and the upgrade handler runs with the SERVER span's context current.

#include <atomic>
#include <boost/asio/write.hpp>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "http/upgrade.hpp"
#include "metrics/registry.hpp"
#include "ports.hpp"
#include "server_fixture.hpp"
#include "trace/context.hpp"
#include "trace/in_memory_exporter.hpp"
#include "trace/processor.hpp"
#include "trace/tracer.hpp"

using namespace vmterm;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view parent_trace = "0af7651916cd43dd8448eb211c80319c";
constexpr std::string_view parent_span = "b7ad6b7169203331";

std::string upgrade_request(std::string_view extra = "") {
  return "GET /ws/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
         "traceparent: 00-" +
         std::string(parent_trace) + "-" + std::string(parent_span) + "-01\r\n" +
         std::string(extra) + "\r\n";
}

std::string string_attr(const trace::span_data& s, std::string_view key) {
  const auto* v = trace::find_attribute(s.attrs, key);
  if (v == nullptr) return "<absent>";
  if (const auto* str = std::get_if<std::string>(v)) return *str;
  if (const auto* i = std::get_if<std::int64_t>(v)) return std::to_string(*i);
  return "<other>";
}

/// A tracer provider whose spans land in memory, and what the upgrade handler saw.
struct traced {
  traced() {
    trace::tracer_provider_options popt;
    popt.processor = std::make_unique<trace::simple_processor>(
        std::make_unique<trace::in_memory_exporter>(store));
    provider = std::make_unique<trace::tracer_provider>(std::move(popt));
  }
  std::shared_ptr<trace::span_store> store = std::make_shared<trace::span_store>();
  std::unique_ptr<trace::tracer_provider> provider;
};

struct seen_by_handler {
  std::mutex mu;
  int calls = 0;
  trace::context current{};
  std::string request_id;
};

/// An upgrade route at /ws/ that records what it saw, answers 101 by hand and closes.
http::router upgrade_routes(std::shared_ptr<seen_by_handler> seen, http::upgrade_gate gate) {
  http::router r;
  r.add_upgrade(
      "GET", "/ws/",
      [seen](const http::request&, const http::request_context& ctx,
             http::upgraded_connection conn) {
        {
          std::lock_guard lock(seen->mu);
          ++seen->calls;
          seen->current = trace::current_context();
          seen->request_id = ctx.request_id;
        }
        auto stream = http::take_stream(conn);
        boost::system::error_code ec;
        boost::asio::write(stream.socket(),
                           boost::asio::buffer(std::string_view(
                               "HTTP/1.1 101 Switching Protocols\r\n\r\nupgraded")),
                           ec);
        stream.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
      },
      std::move(gate));
  return r;
}

}  // namespace

TEST_CASE("An upgrade refused by its gate gets the gate's response with the common headers",
          "[integration][http]") {
  traced t;
  metrics::registry reg;
  auto seen = std::make_shared<seen_by_handler>();
  http::server_options opt;
  opt.tracer = t.provider->get_tracer("vmterm.http");
  opt.registry = &reg;
  test::server_fixture f(
      upgrade_routes(seen,
                     [](const http::request& req, const http::request_context&) {
                       if (req.headers.get("Origin") == "http://evil.example") {
                         return std::optional<http::response>(
                             http::text_response(403, "403 Forbidden: go away\n"));
                       }
                       return std::optional<http::response>();
                     }),
      opt);
  const auto got =
      test::tcp_exchange(f.port, upgrade_request("Origin: http://evil.example\r\n"), 1 << 20, 3s);
  REQUIRE(got);
  INFO(*got);
  CHECK(got->starts_with("HTTP/1.1 403 Forbidden\r\n"));
  CHECK(got->find("Content-Security-Policy: ") != std::string::npos);
  CHECK(got->find("X-Request-ID: ") != std::string::npos);
  CHECK(got->find("Connection: close") != std::string::npos);
  CHECK(got->ends_with("403 Forbidden: go away\n"));
  CHECK(seen->calls == 0);
  REQUIRE(test::wait_until([&] { return t.store->spans().size() == 1; }, 2s));
  const auto s = t.store->spans()[0];
  CHECK(s.name == "GET /ws/");
  CHECK(s.kind == trace::span_kind::server);
  CHECK(s.trace.hex() == parent_trace);
  CHECK(s.parent.hex() == parent_span);
  CHECK(string_attr(s, "http.response.status_code") == "403");
  CHECK(reg.expose().find(
            "http_server_requests_total{method=\"GET\",route=\"/ws/\",status=\"403\"} 1") !=
        std::string::npos);
}

TEST_CASE("An upgrade passed by its gate runs the handler inside the request's span",
          "[integration][http]") {
  traced t;
  metrics::registry reg;
  auto seen = std::make_shared<seen_by_handler>();
  std::atomic<int> gate_calls{0};
  http::server_options opt;
  opt.tracer = t.provider->get_tracer("vmterm.http");
  opt.registry = &reg;
  test::server_fixture f(upgrade_routes(seen,
                                        [&](const http::request&, const http::request_context&) {
                                          ++gate_calls;
                                          return std::optional<http::response>();
                                        }),
                         opt);
  const auto got =
      test::tcp_exchange(f.port, upgrade_request("X-Request-ID: req-77\r\n"), 1 << 20, 3s);
  REQUIRE(got);
  CHECK(*got == "HTTP/1.1 101 Switching Protocols\r\n\r\nupgraded");
  CHECK(gate_calls == 1);
  REQUIRE(test::wait_until([&] { return t.store->spans().size() == 1; }, 2s));
  const auto s = t.store->spans()[0];
  CHECK(s.name == "GET /ws/");
  CHECK(s.trace.hex() == parent_trace);
  CHECK(s.parent.hex() == parent_span);
  CHECK(string_attr(s, "http.response.status_code") == "101");
  CHECK(s.status.code != trace::status_code::error);
  {
    std::lock_guard lock(seen->mu);
    CHECK(seen->calls == 1);
    CHECK(seen->request_id == "req-77");
    // The handler saw the SERVER span as the current context: its child spans join the trace.
    CHECK(seen->current.span.trace.hex() == parent_trace);
    CHECK(seen->current.span.span.hex() == s.span.hex());
  }
  CHECK(reg.expose().find(
            "http_server_requests_total{method=\"GET\",route=\"/ws/\",status=\"101\"} 1") !=
        std::string::npos);
}

TEST_CASE("An upgrade route without a gate hands off at once, still traced",
          "[integration][http]") {
  traced t;
  auto seen = std::make_shared<seen_by_handler>();
  http::server_options opt;
  opt.tracer = t.provider->get_tracer("vmterm.http");
  test::server_fixture f(upgrade_routes(seen, {}), opt);
  const auto got = test::tcp_exchange(f.port, upgrade_request(), 1 << 20, 3s);
  REQUIRE(got);
  CHECK(got->ends_with("upgraded"));
  REQUIRE(test::wait_until([&] { return t.store->spans().size() == 1; }, 2s));
  CHECK(string_attr(t.store->spans()[0], "http.response.status_code") == "101");
}

TEST_CASE("A gate that throws refuses the upgrade with 500", "[integration][http]") {
  traced t;
  auto seen = std::make_shared<seen_by_handler>();
  http::server_options opt;
  opt.tracer = t.provider->get_tracer("vmterm.http");
  test::server_fixture f(
      upgrade_routes(
          seen,
          [](const http::request&, const http::request_context&) -> std::optional<http::response> {
            throw std::runtime_error("gate broke");
          }),
      opt);
  const auto got = test::tcp_exchange(f.port, upgrade_request(), 1 << 20, 3s);
  REQUIRE(got);
  CHECK(got->starts_with("HTTP/1.1 500 Internal Server Error\r\n"));
  CHECK(seen->calls == 0);
  REQUIRE(test::wait_until([&] { return t.store->spans().size() == 1; }, 2s));
  const auto s = t.store->spans()[0];
  CHECK(s.status.code == trace::status_code::error);
  CHECK(string_attr(s, "error.type") == "std::runtime_error");
}

TEST_CASE("A plain GET to an upgrade route gets 426 naming websocket", "[integration][http]") {
  auto seen = std::make_shared<seen_by_handler>();
  test::server_fixture f(upgrade_routes(seen, {}));
  http::client c;
  auto res = c.send(test::make_request("GET", f.url("/ws/")));
  REQUIRE(res);
  CHECK(res->status == 426);
  CHECK(res->headers.get("Upgrade") == "websocket");
  // Another protocol in Upgrade is not a WebSocket upgrade either.
  const auto h2c = test::tcp_exchange(
      f.port, "GET /ws/ HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n",
      1 << 20, 3s);
  REQUIRE(h2c);
  CHECK(h2c->starts_with("HTTP/1.1 426 Upgrade Required\r\n"));
  CHECK(seen->calls == 0);
  // HEAD is not offered where only an upgrade lives.
  res = c.send(test::make_request("POST", f.url("/ws/")));
  REQUIRE(res);
  CHECK(res->status == 405);
  CHECK(res->headers.get("Allow") == "GET");
}
