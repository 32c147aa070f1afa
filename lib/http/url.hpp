#pragma once
/// HTTP(S) URLs as the client needs them: scheme, host, port and request target. Pure; parsing
/// uses Boost.URL inside url.cpp, and no Boost type appears here.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace vmterm::http {

/// An absolute http:// or https:// URL, already validated. Plain value, cheap to copy.
struct url {
  std::string scheme;      ///< "http" or "https" (lowercase)
  std::string host;        ///< decoded host; an IPv6 address without brackets
  std::uint16_t port = 0;  ///< explicit port, else 80 or 443
  std::string path = "/";  ///< percent-encoded path, never empty
  std::string query;       ///< percent-encoded query without '?', "" when none

  [[nodiscard]] bool tls() const noexcept { return scheme == "https"; }
  /// The request target: path plus "?query" when there is one.
  [[nodiscard]] std::string target() const;
  /// host[:port] for the Host header; the port is left out when it is the scheme's default.
  [[nodiscard]] std::string authority() const;
  /// scheme://authority/path?query
  [[nodiscard]] std::string str() const;
  friend bool operator==(const url&, const url&) = default;
};

/// Parses an absolute http/https URL. Errors name the URL (with any user:password replaced by
/// "***") and say what is wrong, e.g. "parse URL 'ftp://h/': scheme 'ftp' is not supported;
/// use http:// or https://".
[[nodiscard]] expected<url> parse_url(std::string_view text);

/// Appends a path segment sequence to a URL's path with exactly one '/' between them:
/// ("/", "v1/traces") → "/v1/traces"; ("/base/", "/v1/traces") → "/base/v1/traces".
[[nodiscard]] std::string join_path(std::string_view base, std::string_view tail);

}  // namespace vmterm::http
