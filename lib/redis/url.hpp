#pragma once
/// Where a Redis server is: `redis://[user:password@]host[:port][/db]`, `rediss://` is refused
/// (no TLS yet), `unix:///path/to/redis.sock[?db=N]`. Parsed with Boost.URL; pure.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace vmterm::redis {

struct url {
  std::string host = "127.0.0.1";  ///< empty for unix sockets
  std::uint16_t port = 6379;
  std::string unix_path;  ///< non-empty for unix://
  std::string user;       ///< ACL user; empty = the default user
  std::string password;   ///< empty = no AUTH
  int db = 0;             ///< SELECT db when non-zero

  /// "redis://user:***@host:port/db": the form used in every message and span (never the
  /// password).
  [[nodiscard]] std::string redacted() const;
  /// "host:port" or the socket path: what server.address names.
  [[nodiscard]] std::string address() const;
};

/// Parses `text`. Errors read "redis URL 'redis://:***@h:x/0': port 'x' is not a number from
/// 1 to 65535; use redis://[user:password@]host:port/db" (password redacted in the message).
[[nodiscard]] expected<url> parse_url(std::string_view text);

}  // namespace vmterm::redis
