#pragma once
/// The Host header check that stops DNS rebinding: a page on `attacker.example` whose name is
/// rebound to 127.0.0.1 reaches a loopback server with `Host: attacker.example:PORT` (and a
/// matching Origin), so a server answers only to the names it is really reached by. The port
/// is not compared: a rebinding page cannot change the name, and an SSH tunnel
/// (`ssh -L 9000:127.0.0.1:8000`) legitimately changes the port. Pure; no I/O.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "http/listen_address.hpp"

namespace vmterm::http {

/// The host names a server answers to.
class host_allow_list {
 public:
  /// Any Host (no check).
  host_allow_list() = default;
  /// The names a server listening on `listen` is reached by: the listen address; for a
  /// loopback one also localhost, 127.0.0.1 and ::1; for a wildcard one (0.0.0.0, ::) any IP
  /// literal and localhost (an IP literal cannot be rebound). Plus `extra` names, each as
  /// normalize_host_name returns it ("*" = any).
  host_allow_list(const endpoint& listen, const std::vector<std::string>& extra);

  /// Whether a Host header value ("example.com:8080", "[::1]:8000", "127.0.0.1") names this
  /// server. A malformed value never does.
  [[nodiscard]] bool allows(std::string_view host_header) const;

 private:
  bool any_ = true;
  bool any_ip_literal_ = false;
  std::vector<std::string> names_;  ///< lower case, IPv6 without brackets
};

/// The name part of a Host header value, lower case, IPv6 without brackets: "Example.COM:80"
/// → "example.com", "[::1]:8000" → "::1". nullopt when it is not host[:port].
[[nodiscard]] std::optional<std::string> host_name_of(std::string_view host_header);

/// An extra host name (a tool's setting), checked and normalised: lower case, brackets of an IPv6
/// literal dropped; "*" stays. Errors: "'a b' is not a host name; ..." and
/// "'example.com:8443' has a port; give the name only (any port is accepted)".
[[nodiscard]] expected<std::string> normalize_host_name(std::string_view name);

/// The fix a 403 gives by default, followed by the refused name.
inline constexpr std::string_view default_allow_host_advice = "add it to the server's host names:";

/// The 403 body for a Host that is not allowed, naming it and the fix: `advice` followed by the
/// name ("...; to reach the server by that name, start it with --allow-host example.com").
[[nodiscard]] std::string forbidden_host_message(
    std::string_view host_header, std::string_view advice = default_allow_host_advice);

/// The 400 body for an HTTP/1.1 request with no Host header, or `count` > 1 of them
/// (RFC 9112 §3.2).
[[nodiscard]] std::string bad_host_count_message(std::size_t count);

}  // namespace vmterm::http
