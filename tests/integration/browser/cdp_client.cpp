#include "cdp_client.hpp"

#include <stdexcept>

namespace vmterm::test {

cdp_client::cdp_client(std::uint16_t port, const std::string& path) {
  // No Origin header: Chromium accepts DevTools clients that are not web pages.
  if (!ws_.connect(port, path)) {
    throw std::runtime_error("cdp: connect to ws://127.0.0.1:" + std::to_string(port) + path +
                             ": HTTP " + std::to_string(ws_.status()) + " " + ws_.error() + " " +
                             ws_.body());
  }
}

nlohmann::json cdp_client::call(const std::string& method, nlohmann::json params,
                                const std::string& session, std::chrono::milliseconds timeout) {
  const auto id = next_id_++;
  nlohmann::json command{{"id", id}, {"method", method}, {"params", std::move(params)}};
  if (!session.empty()) command["sessionId"] = session;
  if (!ws_.send_text(command.dump())) {
    throw std::runtime_error("cdp: send " + method + ": " + ws_.error());
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) throw std::runtime_error("cdp: no reply to " + method);
    auto frame = ws_.read(left);
    if (frame.type == ws_frame::kind::timeout) continue;
    if (!frame.is_text()) {
      throw std::runtime_error("cdp: connection lost waiting for " + method + " " + frame.data);
    }
    auto reply = nlohmann::json::parse(frame.data, nullptr, false);
    if (reply.is_discarded() || !reply.contains("id") || reply["id"] != id) continue;  // events
    if (reply.contains("error")) {
      throw std::runtime_error("cdp: " + method + ": " + reply["error"].dump());
    }
    return reply.value("result", nlohmann::json::object());
  }
}

}  // namespace vmterm::test
