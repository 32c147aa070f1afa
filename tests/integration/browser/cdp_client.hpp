#pragma once
/// A Chrome DevTools Protocol client for tests: one WebSocket to Chromium's browser endpoint,
/// commands sent and answered in order, page commands routed by session id ("flatten" mode of
/// Target.attachToTarget). Events are read and dropped.
///
/// Threading: one thread; not thread-safe.

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "ws_client.hpp"

namespace vmterm::test {

class cdp_client {
 public:
  /// Connects to ws://127.0.0.1:port<path>, path as in DevToolsActivePort
  /// ("/devtools/browser/ID"). Throws std::runtime_error when it cannot.
  cdp_client(std::uint16_t port, const std::string& path);

  /// Sends `method` with `params` (to the page of `session` when not empty) and returns the
  /// reply's "result". Throws std::runtime_error naming the method on an error reply, a
  /// timeout or a lost connection.
  nlohmann::json call(const std::string& method, nlohmann::json params = nlohmann::json::object(),
                      const std::string& session = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  ws_client ws_;
  std::int64_t next_id_ = 1;
};

}  // namespace vmterm::test
