#pragma once
/// Access control for vmterm-serve's HTTP routes and WebSocket upgrade, without I/O.
///
/// The token is the credential: printed once in a login URL (`/?token=T`), or read from
/// --token-file / VMTERM_TOKEN. Opening the login URL swaps the token for a session: a fresh
/// random session id (never the token itself) in an HttpOnly, SameSite=Strict cookie, and a
/// 303 redirect to the same path without the token. Programmatic clients send
/// `Authorization: Bearer T` instead, on any request including the WebSocket upgrade.
/// Comparisons run in constant time. Neither tokens nor session ids are ever logged.
///
/// Thread-safe: the session table is guarded; check()/login() may run on many strands.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"
#include "http/router.hpp"

namespace vmterm::http {

struct auth_options {
  /// The credential. Empty only with `disabled`.
  std::string token{};
  /// --no-auth: every request passes (the caller allows it only on a loopback listen address).
  bool disabled{false};
  /// Cookie name; the server's base path becomes the cookie's Path.
  std::string cookie_name{"vmterm_session"};
  std::string cookie_path{"/"};
  /// Add `Secure` to the cookie (TLS listeners).
  bool secure_cookie{false};
  /// How long a session cookie stays valid without use; the table holds at most
  /// `max_sessions` (oldest dropped first).
  std::chrono::seconds session_lifetime{std::chrono::hours(12)};
  std::size_t max_sessions{1024};
  /// Origins accepted on the WebSocket upgrade besides the request's own host
  /// ("https://example.com"; "*" accepts any). From --allow-origin.
  std::vector<std::string> allowed_origins{};
  /// Words for the 401 body saying where the login URL is ("the login URL is printed on
  /// vmterm-serve's standard error at start").
  std::string login_hint{"open the login URL that vmterm-serve printed when it started"};
};

/// 32 random bytes from the OS as 43 characters of base64url; for the printed login URL.
[[nodiscard]] std::string generate_token();

/// Equal contents, in time that depends only on the lengths.
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

/// The value of `name` in a Cookie header ("a=1; vmterm_session=xyz"); nullopt when absent.
[[nodiscard]] std::optional<std::string_view> cookie_value(std::string_view cookie_header,
                                                           std::string_view name) noexcept;

/// The token of an `Authorization: Bearer T` header; nullopt when absent or another scheme.
[[nodiscard]] std::optional<std::string_view> bearer_token(const headers& h) noexcept;

/// Whether a WebSocket upgrade's Origin is acceptable: same scheme-less host:port as the Host
/// header, or listed in `allowed` ("*" = any). A missing Origin is refused unless the request
/// carries a valid bearer token (non-browser clients), which the caller decides.
[[nodiscard]] bool origin_allowed(std::string_view origin, std::string_view host,
                                  const std::vector<std::string>& allowed) noexcept;

class authenticator {
 public:
  enum class verdict {
    ok,       ///< valid session cookie or bearer token (or auth disabled)
    missing,  ///< no credential at all → 401
    invalid,  ///< a credential that does not match (or an expired session) → 401
  };

  explicit authenticator(auth_options options);
  ~authenticator();
  authenticator(const authenticator&) = delete;
  authenticator& operator=(const authenticator&) = delete;

  [[nodiscard]] bool disabled() const noexcept;

  /// Session cookie or bearer token.
  [[nodiscard]] verdict check(const request& req) const;
  /// Bearer token only (for /metrics, which Prometheus scrapes).
  [[nodiscard]] verdict check_bearer(const request& req) const;

  /// For a request whose query carries `token=` (`ctx.query`): with the right token, a 303 to
  /// the same path with the token removed from the query and a Set-Cookie holding a new
  /// session; with a wrong one, the 401 response. nullopt when the query has no token.
  [[nodiscard]] std::optional<response> login(const request& req, const request_context& ctx);

  /// 401 with `WWW-Authenticate: Bearer` and a body naming what was wrong and the login hint.
  [[nodiscard]] response unauthorized(verdict why) const;
  /// 403 for a WebSocket upgrade from a foreign Origin, naming the origin and --allow-origin.
  [[nodiscard]] response forbidden_origin(std::string_view origin) const;

  /// Whether this upgrade request's Origin is acceptable (see origin_allowed; a missing Origin
  /// passes only with a valid bearer token).
  [[nodiscard]] bool origin_ok(const request& req) const;

  /// Sessions currently held (for tests and metrics).
  [[nodiscard]] std::size_t sessions() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace vmterm::http
