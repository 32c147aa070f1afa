#pragma once
// The terminal WebSocket as the serve e2e tests drive it: wait for output or for a control
// message, and start the terminal with its first resize. Header-only, for the tests' files.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "ws_client.hpp"

namespace vmterm::test::serve {

/// Reads frames until the output holds `needle` (true) or the time is up or the socket ends
/// (false); control messages are collected in `controls`.
inline bool read_until(ws_client& ws, const std::string& needle, std::string& output,
                       std::vector<std::string>* controls = nullptr,
                       std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto f = ws.read(std::chrono::seconds(1));
    if (f.is_binary()) output += f.data;
    if (f.is_text() && controls != nullptr) controls->push_back(f.data);
    if (output.find(needle) != std::string::npos) return true;
    if (f.type == ws_frame::kind::closed || f.type == ws_frame::kind::error) return false;
  }
  return false;
}

/// Reads until a text frame of this type ("exit", "error", "hello") arrives; "" when the time
/// is up or the socket ends.
inline std::string read_control(ws_client& ws, const std::string& type,
                                std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto f = ws.read(std::chrono::seconds(1));
    if (f.is_text() && f.data.find("\"type\":\"" + type + "\"") != std::string::npos) return f.data;
    if (f.type == ws_frame::kind::closed || f.type == ws_frame::kind::error) return {};
  }
  return {};
}

/// The page's first message: the terminal's size, which starts the session.
inline void start_terminal(ws_client& ws, int cols = 100, int rows = 30) {
  REQUIRE(ws.send_text(R"({"type":"resize","cols":)" + std::to_string(cols) + R"(,"rows":)" +
                       std::to_string(rows) + "}"));
}

}  // namespace vmterm::test::serve
