#pragma once
/// Loopback ports and readiness checks for test services. Nothing here leaves 127.0.0.1.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace vmterm::test {

using namespace std::chrono_literals;

/// A TCP port on 127.0.0.1 that was free a moment ago and that this process has not handed out
/// before (so two fixtures in one test never get the same one). Another process may still take
/// it first: fixtures retry with a new port when their service cannot bind.
[[nodiscard]] std::uint16_t free_loopback_port();

/// Connects to 127.0.0.1:port, sends `request` (if any), and reads until `expect_bytes` bytes
/// arrived, the peer closed, or the timeout passed. nullopt when the connection failed.
[[nodiscard]] std::optional<std::string> tcp_exchange(std::uint16_t port, std::string_view request,
                                                      std::size_t expect_bytes,
                                                      std::chrono::milliseconds timeout = 1s);

/// Polls `ready` every `interval` until it returns true (→ true) or `timeout` passes (→ false).
[[nodiscard]] bool wait_until(const std::function<bool()>& ready, std::chrono::milliseconds timeout,
                              std::chrono::milliseconds interval = 20ms);

}  // namespace vmterm::test
