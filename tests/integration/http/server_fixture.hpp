#pragma once
// A real vmterm::http::server (HTTP, or HTTPS with tls_cert/tls_key) on 127.0.0.1 (port 0: the
// kernel picks a free one), run by background threads for the fixture's lifetime; stopped
// gracefully on destruction.

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "http/client.hpp"
#include "http/server.hpp"

namespace vmterm::test {

struct server_fixture {
  explicit server_fixture(http::router routes, http::server_options options = {}, int threads = 1) {
    if (options.listen == "127.0.0.1:8000") options.listen = "127.0.0.1:0";
    if (!options.tls_cert.empty()) scheme = "https";
    server = std::make_unique<http::server>(ioc, std::move(options), std::move(routes));
    auto ep = server->listen();
    REQUIRE(ep.has_value());
    port = ep->port;
    for (int i = 0; i < threads; ++i) runners.emplace_back([this] { ioc.run(); });
  }
  ~server_fixture() { shutdown(); }
  server_fixture(const server_fixture&) = delete;
  server_fixture& operator=(const server_fixture&) = delete;

  /// Graceful stop, then waits for run() to return in every thread.
  void shutdown() {
    server->stop();
    for (auto& t : runners) {
      if (t.joinable()) t.join();
    }
  }

  [[nodiscard]] std::string url(std::string_view target) const {
    return scheme + "://127.0.0.1:" + std::to_string(port) + std::string(target);
  }

  boost::asio::io_context ioc;
  std::unique_ptr<http::server> server;
  std::uint16_t port = 0;
  std::string scheme = "http";  ///< "https" when the options name TLS files
  std::vector<std::thread> runners;
};

inline http::request make_request(std::string method, std::string url, http::headers h = {},
                                  std::string body = {}) {
  http::request req;
  req.method = std::move(method);
  req.url = std::move(url);
  req.headers = std::move(h);
  req.body = std::move(body);
  return req;
}

inline http::handler reply(std::string body) {
  return [body](const http::request&, const http::request_context&) {
    return http::text_response(200, body);
  };
}

}  // namespace vmterm::test
