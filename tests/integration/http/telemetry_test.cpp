#include <memory>

#include "http/middleware.hpp"
#include "metrics/registry.hpp"
#include "ports.hpp"
#include "server_fixture.hpp"
#include "trace/in_memory_exporter.hpp"
#include "trace/processor.hpp"
#include "trace/tracer.hpp"

using namespace vmterm;
using namespace std::chrono_literals;
using test::make_request;
using test::reply;

namespace {

std::string string_attr(const trace::span_data& s, std::string_view key) {
  const auto* v = trace::find_attribute(s.attrs, key);
  if (v == nullptr) return "<absent>";
  if (const auto* str = std::get_if<std::string>(v)) return *str;
  if (const auto* i = std::get_if<std::int64_t>(v)) return std::to_string(*i);
  return "<other>";
}

}  // namespace

TEST_CASE("Every response carries the security headers and an X-Request-ID",
          "[integration][http]") {
  http::router r;
  r.add("GET", "/hello", reply("hello"));
  test::server_fixture f(std::move(r));
  http::client c;
  for (const std::string path : {"/hello", "/missing"}) {
    const auto res = c.send(make_request("GET", f.url(path)));
    REQUIRE(res);
    CHECK(res->headers.get("Content-Security-Policy") == http::content_security_policy);
    CHECK(res->headers.get("X-Content-Type-Options") == "nosniff");
    CHECK(res->headers.get("Referrer-Policy") == "no-referrer");
    const auto id = res->headers.get("X-Request-ID");
    REQUIRE(id);
    CHECK(id->size() == 32);
  }
  auto res = c.send(make_request("GET", f.url("/hello"), {{"X-Request-ID", "abc-123.x_y"}}));
  REQUIRE(res);
  CHECK(res->headers.get("X-Request-ID") == "abc-123.x_y");
  res = c.send(make_request("GET", f.url("/hello"), {{"X-Request-ID", "evil id;"}}));
  REQUIRE(res);
  CHECK(res->headers.get("X-Request-ID") != "evil id;");
  CHECK(http::valid_request_id(*res->headers.get("X-Request-ID")));
}

TEST_CASE("Each request gets a SERVER span named by method and route, child of traceparent",
          "[integration][http]") {
  auto store = std::make_shared<trace::span_store>();
  trace::tracer_provider_options popt;
  popt.processor =
      std::make_unique<trace::simple_processor>(std::make_unique<trace::in_memory_exporter>(store));
  trace::tracer_provider provider(std::move(popt));
  http::router r;
  r.add("GET", "/items/*", reply("item"));
  r.add("GET", "/boom", [](const http::request&, const http::request_context&) -> http::response {
    throw std::runtime_error("exploded");
  });
  http::server_options opt;
  opt.tracer = provider.get_tracer("vmterm.http");
  test::server_fixture f(std::move(r), opt);
  http::client c;
  const auto res = c.send(
      make_request("GET", f.url("/items/42?token=secret"),
                   {{"traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
                    {"User-Agent", "probe/1"},
                    {"Authorization", "Bearer hunter2"}}));
  REQUIRE(res);
  const auto boom = c.send(make_request("GET", f.url("/boom")));
  REQUIRE(boom);
  CHECK(boom->status == 500);
  const auto spans = store->spans();
  REQUIRE(spans.size() == 2);
  const auto& s = spans[0];
  CHECK(s.name == "GET /items/*");
  CHECK(s.kind == trace::span_kind::server);
  CHECK(s.trace.hex() == "0af7651916cd43dd8448eb211c80319c");
  CHECK(s.parent.hex() == "b7ad6b7169203331");
  CHECK(s.parent_remote);
  CHECK(string_attr(s, "http.request.method") == "GET");
  CHECK(string_attr(s, "url.path") == "/items/42");
  CHECK(string_attr(s, "http.route") == "/items/*");
  CHECK(string_attr(s, "http.response.status_code") == "200");
  CHECK(string_attr(s, "server.address") == "127.0.0.1");
  CHECK(string_attr(s, "server.port") == std::to_string(f.port));
  CHECK(string_attr(s, "network.peer.address") == "127.0.0.1");
  CHECK(string_attr(s, "user_agent.original") == "probe/1");
  CHECK(string_attr(s, "error.type") == "<absent>");
  for (const auto& a : s.attrs) {
    if (const auto* str = std::get_if<std::string>(&a.value)) {
      CHECK(str->find("secret") == std::string::npos);
      CHECK(str->find("hunter2") == std::string::npos);
    }
  }
  const auto& e = spans[1];
  CHECK(e.name == "GET /boom");
  CHECK(e.status.code == trace::status_code::error);
  CHECK(string_attr(e, "error.type") == "std::runtime_error");
  CHECK(string_attr(e, "http.response.status_code") == "500");
}

TEST_CASE("Requests are counted and timed in the registry passed in", "[integration][http]") {
  metrics::registry reg;
  http::router r;
  r.add("GET", "/hello", reply("hello"));
  http::server_options opt;
  opt.registry = &reg;
  test::server_fixture f(std::move(r), opt);
  http::client c;
  REQUIRE(c.send(make_request("GET", f.url("/hello"))));
  REQUIRE(c.send(make_request("GET", f.url("/hello"))));
  REQUIRE(c.send(make_request("GET", f.url("/nothing"))));
  const std::string text = reg.expose();
  CHECK(text.find("http_server_requests_total{method=\"GET\",route=\"/hello\",status=\"200\"} 2") !=
        std::string::npos);
  CHECK(text.find(
            "http_server_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1") !=
        std::string::npos);
  CHECK(
      text.find("http_server_request_duration_seconds_count{method=\"GET\",route=\"/hello\"} 2") !=
      std::string::npos);
}

TEST_CASE("Requests refused before routing get a SERVER span with error.type and are counted",
          "[integration][http]") {
  auto store = std::make_shared<trace::span_store>();
  trace::tracer_provider_options popt;
  popt.processor =
      std::make_unique<trace::simple_processor>(std::make_unique<trace::in_memory_exporter>(store));
  trace::tracer_provider provider(std::move(popt));
  metrics::registry reg;
  http::router r;
  r.add("POST", "/echo", reply("ok"));
  http::server_options opt;
  opt.tracer = provider.get_tracer("vmterm.http");
  opt.registry = &reg;
  opt.header_limit = 1024;
  opt.body_limit = 10;
  opt.read_timeout = 300ms;
  test::server_fixture f(std::move(r), opt);
  const std::string tp = "traceparent: 00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\r\n";
  const std::vector<std::pair<std::string, std::string>> cases{
      {"400", "G\x01T /echo HTTP/1.1\r\n\r\n"},
      {"413", "POST /echo HTTP/1.1\r\nHost: x\r\n" + tp + "Content-Length: 100\r\n\r\n"},
      {"431", "GET /echo HTTP/1.1\r\nX-Big: " + std::string(2000, 'b') + "\r\n\r\n"},
      {"408", "POST /echo HTTP/1.1\r\nHost: x\r\n" + tp + "Content-Length: 5\r\n\r\nab"},
  };
  for (const auto& [status, raw] : cases) {
    const auto got = test::tcp_exchange(f.port, raw, 1 << 20, 3s);
    REQUIRE(got);
    CHECK(got->starts_with("HTTP/1.1 " + status + " "));
  }
  REQUIRE(test::wait_until([&] { return store->spans().size() == 4; }, 2s));
  const auto spans = store->spans();
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& s = spans[i];
    INFO(cases[i].first << " " << s.name);
    CHECK(s.kind == trace::span_kind::server);
    CHECK(string_attr(s, "http.response.status_code") == cases[i].first);
    CHECK(string_attr(s, "error.type") == cases[i].first);
  }
  // Once the start line was read, method, route and parent are known; before, nothing is.
  CHECK(spans[0].name == "HTTP");
  CHECK(spans[1].name == "POST /echo");
  CHECK(spans[1].trace.hex() == "0af7651916cd43dd8448eb211c80319c");
  CHECK(spans[2].name == "GET /echo");
  // A 408 never reached its route: its time (the read timeout) is not the route's.
  CHECK(spans[3].name == "POST");
  const std::string text = reg.expose();
  INFO(text);
  CHECK(text.find("http_server_requests_total{method=\"POST\",route=\"/echo\",status=\"413\"} 1") !=
        std::string::npos);
  CHECK(text.find(
            "http_server_requests_total{method=\"POST\",route=\"unmatched\",status=\"408\"} 1") !=
        std::string::npos);
  CHECK(text.find("route=\"/echo\",status=\"408\"") == std::string::npos);
  CHECK(text.find(
            "http_server_requests_total{method=\"_OTHER\",route=\"unmatched\",status=\"400\"} 1") !=
        std::string::npos);
}
