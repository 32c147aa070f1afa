#pragma once
/// The `--listen` value: "HOST:PORT" with an IPv4 literal, "[IPv6]:PORT", or "localhost:PORT".
/// Pure; no Asio type appears here.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace vmterm::http {

/// A local TCP endpoint: an IP literal (IPv6 without brackets) and a port.
struct endpoint {
  std::string address{};
  std::uint16_t port{0};
  /// "127.0.0.1:8000" or "[::1]:8000".
  [[nodiscard]] std::string str() const;
  friend bool operator==(const endpoint&, const endpoint&) = default;
};

/// Parses a listen address; port 0 asks the system for a free port. "localhost" becomes
/// 127.0.0.1. Errors name the input and the fix, e.g.
/// "parse listen address '127.0.0.1': missing port; use HOST:PORT such as 127.0.0.1:8000".
[[nodiscard]] expected<endpoint> parse_listen_address(std::string_view text);

}  // namespace vmterm::http
