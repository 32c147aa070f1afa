#pragma once
// A real http::server on 127.0.0.1:0 with /ws/terminal/ served by a term::session_hub over
// local PTYs, run by background threads; and a terminal client on the test WebSocket client
// that acks as the page does.

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "http/server.hpp"
#include "metrics/registry.hpp"
#include "term/pty_terminal.hpp"
#include "term/session_hub.hpp"
#include "ws_client.hpp"

namespace vmterm::test {

struct hub_fixture {
  explicit hub_fixture(term::hub_options options = {}, term::pty_options pty = {}, int threads = 2,
                       http::server_options so = {}) {
    if (pty.command.empty()) pty.command = {"/bin/bash", "--norc", "--noprofile"};
    pty.env.emplace("PS1", "$ ");
    options.registry = &registry;
    if (!options.make_terminal) {  // a test may bring its own backend
      options.make_terminal =
          [pty](boost::asio::any_io_executor ex) -> expected<std::shared_ptr<term::terminal>> {
        return term::pty_terminal::create(std::move(ex), pty);
      };
    }
    hub = term::session_hub::create(ioc.get_executor(), std::move(options));
    http::router r;
    r.add_upgrade(
        "GET", "/ws/terminal/",
        [h = hub](const http::request& req, const http::request_context& ctx,
                  http::upgraded_connection conn) { h->accept(std::move(conn), req, ctx); });
    so.listen = "127.0.0.1:0";
    server = std::make_unique<http::server>(ioc, std::move(so), std::move(r));
    auto ep = server->listen();
    REQUIRE(ep.has_value());
    port = ep->port;
    for (int i = 0; i < threads; ++i) runners.emplace_back([this] { ioc.run(); });
  }
  ~hub_fixture() { stop(); }
  hub_fixture(const hub_fixture&) = delete;
  hub_fixture& operator=(const hub_fixture&) = delete;

  /// Graceful: the hub closes its sessions (1001), the server stops, run() returns.
  void stop() {
    if (stopped) return;
    stopped = true;
    std::promise<void> gone;
    auto f = gone.get_future();
    hub->shutdown([&gone] { gone.set_value(); });
    f.wait_for(std::chrono::seconds(10));
    server->stop();
    for (auto& t : runners) {
      if (t.joinable()) t.join();
    }
  }

  [[nodiscard]] double metric(const std::string& name) const {
    for (const auto& fam : registry.collect()) {
      if (fam.name == name && !fam.samples.empty()) return fam.samples.front().value;
    }
    return -1;
  }

  metrics::registry registry;
  boost::asio::io_context ioc;
  std::shared_ptr<term::session_hub> hub;
  std::unique_ptr<http::server> server;
  std::uint16_t port = 0;
  std::vector<std::thread> runners;
  bool stopped = false;
};

/// A terminal client: output accumulates in `output`, acked like the page (after each frame
/// when `auto_ack`); control messages go to `controls`.
struct term_client {
  ws_client ws;
  std::string output;
  std::vector<nlohmann::json> controls;
  std::uint64_t received = 0;
  bool auto_ack = true;

  bool connect(std::uint16_t port, std::string query = {}) {
    return ws.connect(port, "/ws/terminal/" + (query.empty() ? "" : "?" + query));
  }

  /// Reads one frame and records it; false on timeout, close or error.
  bool pump(std::chrono::milliseconds timeout) {
    auto f = ws.read(timeout);
    if (f.is_binary()) {
      output += f.data;
      received += f.data.size();
      if (auto_ack) ack();
      return true;
    }
    if (f.is_text()) {
      controls.push_back(nlohmann::json::parse(f.data));
      return true;
    }
    return false;
  }

  void ack() { ws.send_text(R"({"type":"ack","bytes":)" + std::to_string(received) + "}"); }

  /// Reads until `what` appears in the output (searched from `from`).
  bool read_until(std::string_view what,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10),
                  std::size_t from = 0) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (output.find(what, from) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !pump(left)) return output.find(what, from) != std::string::npos;
    }
    return true;
  }

  /// Reads until a control message of `type` arrives; returns it (null json on timeout).
  nlohmann::json read_control(std::string_view type,
                              std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (std::size_t seen = 0;;) {
      for (; seen < controls.size(); ++seen) {
        if (controls[seen].value("type", "") == type) return controls[seen];
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !pump(left)) return {};
    }
  }

  /// Reads (and records) until the server closes; false on timeout.
  bool read_until_closed(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      auto f = ws.read(left);
      if (f.type == ws_frame::kind::closed) return true;
      if (f.is_binary()) {
        output += f.data;
        received += f.data.size();
      } else if (f.is_text()) {
        controls.push_back(nlohmann::json::parse(f.data));
      } else {
        return false;
      }
    }
  }

  bool resize(int cols, int rows) {
    return ws.send_text(R"({"type":"resize","cols":)" + std::to_string(cols) + R"(,"rows":)" +
                        std::to_string(rows) + "}");
  }
  bool type(std::string_view keys) { return ws.send_binary(keys); }
};

}  // namespace vmterm::test
