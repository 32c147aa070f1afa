#pragma once
/// Access control for a server's HTTP routes and WebSocket upgrade (vmterm-serve's), without
/// I/O. Messages name the server and the fix in the tool's words (auth_options), never a flag.
///
/// The token is the credential: printed once in a login URL (`/?token=T`), or given by the
/// tool's user. Opening the login URL swaps the token for a session: a fresh
/// random session id (never the token itself) in an HttpOnly, SameSite=Strict cookie, and a
/// 303 redirect to the same path without the token. Programmatic clients send
/// `Authorization: Bearer T` instead, on any request including the WebSocket upgrade.
/// Comparisons run in constant time. Neither tokens nor session ids are ever logged.
///
/// Thread-safe: the session table is guarded; check()/login() may run on many strands.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/host_check.hpp"
#include "http/message.hpp"
#include "http/router.hpp"

namespace vmterm::http {

struct auth_options {
  /// The credential. Empty only with `disabled`.
  std::string token{};
  /// Every request passes (the caller allows it only on a loopback listen address).
  bool disabled{false};
  /// Cookie name (vmterm-serve makes it unique per instance: cookie_name_for); the server's
  /// base path becomes the cookie's Path.
  std::string cookie_name{"vmterm_session"};
  std::string cookie_path{"/"};
  /// Add `Secure` to the cookie (TLS listeners).
  bool secure_cookie{false};
  /// How long a session cookie stays valid without use; the table holds at most
  /// `max_sessions` (oldest dropped first).
  std::chrono::seconds session_lifetime{std::chrono::hours(12)};
  std::size_t max_sessions{1024};
  /// Origins accepted on the WebSocket upgrade besides the request's own host
  /// ("https://example.com"; "*" accepts any).
  std::vector<std::string> allowed_origins{};
  /// The 403's fix for a foreign origin, followed by the origin: what allows one on this server
  /// (vmterm-serve: "start vmterm-serve with --allow-origin").
  std::string allow_origin_advice{"add it to the server's allowed origins:"};
  /// The server as messages name it: "the token in this URL is not the server's token", "a
  /// session ends when the server restarts" (vmterm-serve: "vmterm-serve").
  std::string server_name{"the server"};
  /// The server's host names: a same-host Origin passes only when its host is one of them, so
  /// the check never rests on the request's own Host. Not set: the Host is trusted.
  std::optional<host_allow_list> hosts{};
  /// Words for the 401 body saying where the login URL is ("open the login URL that
  /// vmterm-serve printed when it started").
  std::string login_hint{"open the login URL that the server printed when it started"};
  /// The clock for session lifetimes; empty: std::chrono::steady_clock (tests inject one).
  std::function<std::chrono::steady_clock::time_point()> clock{};
};

/// 32 random bytes from the OS (getrandom(2)) as 43 characters of unpadded base64url; for the
/// printed login URL (session ids are made the same way). Throws std::system_error when the
/// OS has no randomness to give (never in practice).
[[nodiscard]] std::string generate_token();

/// Equal contents, in time that depends only on the lengths.
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

/// A session cookie name of its own for each instance, so that two servers on one host do not
/// log each other out (cookies ignore ports): "vmterm_session_8000"; under TLS with the cookie
/// Path "/", with the "__Host-" prefix (Secure, no Domain, Path=/: no other host or path can
/// set or shadow it).
[[nodiscard]] std::string cookie_name_for(std::uint16_t port, bool tls, std::string_view path);

/// The value of `name` in a Cookie header ("a=1; vmterm_session=xyz"); nullopt when absent.
[[nodiscard]] std::optional<std::string_view> cookie_value(std::string_view cookie_header,
                                                           std::string_view name) noexcept;

/// The token of an `Authorization: Bearer T` header; nullopt when absent or another scheme.
[[nodiscard]] std::optional<std::string_view> bearer_token(const headers& h) noexcept;

/// Whether a WebSocket upgrade's Origin is acceptable: same scheme-less host:port as the Host
/// header (case-insensitive), or listed in `allowed`: "*" = any, a full origin
/// ("https://example.com:8443") matches exactly, a bare "example.com:8443" with any scheme.
/// An empty or "null" Origin is refused here (authenticator::origin_ok decides about a missing
/// one: only a valid bearer token lets it pass).
[[nodiscard]] bool origin_allowed(std::string_view origin, std::string_view host,
                                  const std::vector<std::string>& allowed) noexcept;

class authenticator {
 public:
  enum class verdict {
    ok,       ///< valid session cookie or bearer token (or auth disabled)
    missing,  ///< no credential at all → 401
    invalid,  ///< a credential that does not match (or an expired session) → 401
  };

  /// Throws std::invalid_argument when the token is empty and auth is not disabled.
  explicit authenticator(auth_options options);
  ~authenticator();
  authenticator(const authenticator&) = delete;
  authenticator& operator=(const authenticator&) = delete;

  [[nodiscard]] bool disabled() const noexcept;

  /// Renames the session cookie (when the name depends on the port the server bound). Call
  /// before the server serves requests: not thread-safe.
  void set_cookie_name(std::string name);
  [[nodiscard]] const std::string& cookie_name() const noexcept;

  /// Session cookie or bearer token: ok when either is valid (a valid session's last use is
  /// refreshed), invalid when one was presented and none is valid, else missing. The token
  /// itself in the cookie is not a session and is refused.
  [[nodiscard]] verdict check(const request& req) const;
  /// Bearer token only (for /metrics, which Prometheus scrapes).
  [[nodiscard]] verdict check_bearer(const request& req) const;

  /// For a request whose query carries `token=` (`ctx.query`): with the right token, a 303 to
  /// the same path with the token removed from the query (other parameters kept, in order) and
  /// `Set-Cookie: <cookie_name>=<new id>; Path=<cookie_path>; HttpOnly; SameSite=Strict`
  /// (+ `; Secure`); with a wrong one, a 401 saying so. nullopt when the query has no token
  /// or auth is disabled. Both carry `Cache-Control: no-store`.
  [[nodiscard]] std::optional<response> login(const request& req, const request_context& ctx);

  /// 401 with `WWW-Authenticate: Bearer` and a body naming what was wrong and the login hint.
  [[nodiscard]] response unauthorized(verdict why) const;
  /// 403 for a WebSocket upgrade from a foreign Origin, naming the origin and the fix
  /// (allow_origin_advice).
  [[nodiscard]] response forbidden_origin(std::string_view origin) const;

  /// Whether this upgrade request's Origin is acceptable (see origin_allowed; a missing Origin
  /// passes only with a valid bearer token, or with auth disabled: browsers always send one).
  /// Applies even with auth disabled: it is what stops a foreign page from opening a shell.
  [[nodiscard]] bool origin_ok(const request& req) const;

  /// Sessions currently held, expired ones pruned (for tests and metrics).
  [[nodiscard]] std::size_t sessions() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace vmterm::http
