#include <catch2/catch.hpp>
#include <filesystem>

#include "http/client.hpp"
#include "http_test_server.hpp"

namespace {

using namespace vmterm;

/// Threads of this process now (/proc/self/task).
std::size_t thread_count() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

}  // namespace

TEST_CASE("an IP literal is connected to without the resolver's thread", "[health][http]") {
  test::http_test_server server;
  server.set_fallback({200, {}, "ok"});
  const auto before = thread_count();
  http::client client(http::client_options{});
  http::request req;
  req.url = server.url("/health-check/");
  auto res = client.send(req, std::chrono::seconds(5));
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(client.last_remote_address() == "127.0.0.1:" + std::to_string(server.port()));
  // Asio's asynchronous resolver keeps a thread for as long as its io_context lives.
  CHECK(thread_count() == before);
}

TEST_CASE("an IP literal of the wrong family is not connected to", "[health][http]") {
  test::http_test_server server;
  http::client_options co;
  co.family = http::client_options::ip_family::v6;
  http::client client(co);
  http::request req;
  req.url = server.url("/");
  auto res = client.send(req, std::chrono::seconds(5));
  REQUIRE_FALSE(res);
  CHECK_THAT(res.error().message,
             Catch::StartsWith("GET '" + req.url + "': resolve '127.0.0.1': "));
  CHECK(server.connections() == 0);
}

TEST_CASE("the IPv4 family connects to an IPv4 literal", "[health][http]") {
  test::http_test_server server;
  http::client_options co;
  co.family = http::client_options::ip_family::v4;
  http::client client(co);
  http::request req;
  req.url = server.url("/");
  auto res = client.send(req, std::chrono::seconds(5));
  REQUIRE(res);
  CHECK(server.connections() == 1);
}
