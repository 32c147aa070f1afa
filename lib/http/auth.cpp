#include "http/auth.hpp"

#include <openssl/evp.h>
#include <sys/random.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <mutex>
#include <system_error>
#include <unordered_map>

namespace vmterm::http {
namespace {

constexpr std::size_t random_bytes = 32;
constexpr std::size_t shown_origin_limit = 200;

/// Fills `out` from getrandom(2), retrying on EINTR and short reads; throws on failure.
void fill_random(unsigned char* out, std::size_t n) {
  while (n > 0) {
    const ssize_t got = ::getrandom(out, n, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    out += got;
    n -= static_cast<std::size_t>(got);
  }
}

/// Unpadded base64url (RFC 4648 §5): cookie-, URL- and header-safe.
std::string base64url(const unsigned char* data, std::size_t n) {
  static constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((n * 4 + 2) / 3);
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const unsigned v = (unsigned{data[i]} << 16) | (unsigned{data[i + 1]} << 8) | data[i + 2];
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  if (n - i == 1) {
    const unsigned v = unsigned{data[i]} << 16;
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
  } else if (n - i == 2) {
    const unsigned v = (unsigned{data[i]} << 16) | (unsigned{data[i + 1]} << 8);
    out += alphabet[(v >> 18) & 63];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
  }
  return out;
}

/// SHA-256 of a session id: the table is keyed by it, so a lookup's timing can reveal nothing
/// useful about the ids held, and the ids themselves are not kept in memory.
std::string digest(std::string_view id) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(id.data(), id.size(), md.data(), &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  return {reinterpret_cast<const char*>(md.data()), len};
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Percent-decoding of one query value ('+' is a space, as forms encode it).
std::string query_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

/// Splits a query into the first `token=` value (decoded) and the other parameters, in order.
struct split_query {
  std::optional<std::string> token;
  std::string rest;
};

split_query take_token(std::string_view query) {
  split_query out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const std::string_view name = param.substr(0, param.find('='));
    if (name == "token") {
      if (!out.token) {
        out.token = query_decode(param.size() > name.size() ? param.substr(name.size() + 1) : "");
      }
      continue;
    }
    if (param.empty()) continue;
    if (!out.rest.empty()) out.rest += '&';
    out.rest += param;
  }
  return out;
}

/// The path to redirect to; "//host" would leave the site, so leading slashes collapse to one.
std::string local_path(std::string_view path) {
  const auto first = path.find_first_not_of('/');
  return "/" + std::string(first == std::string_view::npos ? "" : path.substr(first));
}

std::string shown_origin(std::string_view origin) {
  std::string out;
  for (const char c : origin.substr(0, shown_origin_limit)) {
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (origin.size() > shown_origin_limit) out += "...";
  return out;
}

std::string_view scheme_less(std::string_view origin) noexcept {
  const auto sep = origin.find("://");
  return sep == std::string_view::npos ? origin : origin.substr(sep + 3);
}

std::string lifetime_words(std::chrono::seconds s) {
  const auto n = s.count();
  if (n % 3600 == 0) return std::to_string(n / 3600) + (n == 3600 ? " hour" : " hours");
  if (n % 60 == 0) return std::to_string(n / 60) + (n == 60 ? " minute" : " minutes");
  return std::to_string(n) + (n == 1 ? " second" : " seconds");
}

}  // namespace

std::string generate_token() {
  std::array<unsigned char, random_bytes> bytes{};
  fill_random(bytes.data(), bytes.size());
  return base64url(bytes.data(), bytes.size());
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  // Every byte of `a` is visited whatever the contents; only the lengths shape the loop.
  unsigned diff = a.size() == b.size() ? 0U : 1U;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto x = static_cast<unsigned char>(a[i]);
    const auto y = static_cast<unsigned char>(i < b.size() ? b[i] : a[i] ^ 0xff);
    diff |= static_cast<unsigned>(x ^ y);
  }
  return diff == 0;
}

std::optional<std::string_view> cookie_value(std::string_view cookie_header,
                                             std::string_view name) noexcept {
  while (!cookie_header.empty()) {
    const auto semi = cookie_header.find(';');
    const std::string_view pair = trim(cookie_header.substr(0, semi));
    cookie_header =
        semi == std::string_view::npos ? std::string_view{} : cookie_header.substr(semi + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || trim(pair.substr(0, eq)) != name) continue;
    std::string_view value = trim(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return value;
  }
  return std::nullopt;
}

std::optional<std::string_view> bearer_token(const headers& h) noexcept {
  const auto value = h.get("Authorization");
  if (!value) return std::nullopt;
  const std::string_view v = trim(*value);
  const auto space = v.find(' ');
  if (space == std::string_view::npos || !iequals(v.substr(0, space), "Bearer")) {
    return std::nullopt;
  }
  const std::string_view token = trim(v.substr(space + 1));
  if (token.empty()) return std::nullopt;
  return token;
}

bool origin_allowed(std::string_view origin, std::string_view host,
                    const std::vector<std::string>& allowed) noexcept {
  if (origin.empty() || origin == "null") return false;
  while (origin.ends_with('/')) origin.remove_suffix(1);
  if (!host.empty() && iequals(scheme_less(origin), host)) return true;
  for (std::string_view a : allowed) {
    while (a.ends_with('/')) a.remove_suffix(1);
    if (a == "*") return true;
    // "https://example.com" must match the whole origin; a bare "example.com:8443" any scheme.
    const bool has_scheme = a.find("://") != std::string_view::npos;
    if (iequals(has_scheme ? origin : scheme_less(origin), a)) return true;
  }
  return false;
}

struct authenticator::impl {
  explicit impl(auth_options o) : options(std::move(o)) {}

  using time_point = std::chrono::steady_clock::time_point;

  [[nodiscard]] time_point now() const {
    return options.clock ? options.clock() : std::chrono::steady_clock::now();
  }
  [[nodiscard]] bool token_matches(std::string_view t) const noexcept {
    return !options.token.empty() && constant_time_equal(t, options.token);
  }

  /// Drops expired sessions; the caller holds `mu`.
  void prune(time_point t) {
    std::erase_if(sessions,
                  [&](const auto& kv) { return t - kv.second >= options.session_lifetime; });
  }

  /// A valid session refreshes its last use; an expired one is dropped.
  bool use_session(std::string_view id) {
    const std::string key = digest(id);
    const auto t = now();
    std::lock_guard lock(mu);
    const auto it = sessions.find(key);
    if (it == sessions.end()) return false;
    if (t - it->second >= options.session_lifetime) {
      sessions.erase(it);
      return false;
    }
    it->second = t;
    return true;
  }

  std::string new_session() {
    std::string id = generate_token();
    const std::string key = digest(id);
    const auto t = now();
    std::lock_guard lock(mu);
    if (sessions.size() >= options.max_sessions) prune(t);
    while (!sessions.empty() && sessions.size() >= options.max_sessions) {
      // The least recently used session makes room.
      sessions.erase(
          std::min_element(sessions.begin(), sessions.end(),
                           [](const auto& a, const auto& b) { return a.second < b.second; }));
    }
    if (options.max_sessions > 0) sessions.emplace(key, t);
    return id;
  }

  [[nodiscard]] std::string set_cookie(const std::string& id) const {
    std::string c =
        cookie_name + "=" + id + "; Path=" + options.cookie_path + "; HttpOnly; SameSite=Strict";
    if (options.secure_cookie) c += "; Secure";
    return c;
  }

  const auth_options options;
  std::string cookie_name{options.cookie_name};
  mutable std::mutex mu;
  std::unordered_map<std::string, time_point> sessions;  ///< SHA-256(id) → last use
};

authenticator::authenticator(auth_options options)
    : impl_(std::make_unique<impl>(std::move(options))) {
  if (impl_->options.token.empty() && !impl_->options.disabled) {
    throw std::invalid_argument(
        "authenticator: an empty token is allowed only when authentication is disabled");
  }
}

authenticator::~authenticator() = default;

bool authenticator::disabled() const noexcept { return impl_->options.disabled; }

void authenticator::set_cookie_name(std::string name) { impl_->cookie_name = std::move(name); }

const std::string& authenticator::cookie_name() const noexcept { return impl_->cookie_name; }

std::string cookie_name_for(std::uint16_t port, bool tls, std::string_view path) {
  std::string name = "vmterm_session_" + std::to_string(port);
  return tls && path == "/" ? "__Host-" + name : name;
}

authenticator::verdict authenticator::check(const request& req) const {
  if (impl_->options.disabled) return verdict::ok;
  bool presented = false;
  if (const auto t = bearer_token(req.headers)) {
    if (impl_->token_matches(*t)) return verdict::ok;
    presented = true;
  }
  for (const auto& [name, value] : req.headers) {
    if (!iequals(name, "Cookie")) continue;
    const auto id = cookie_value(value, impl_->cookie_name);
    if (!id) continue;
    if (impl_->use_session(*id)) return verdict::ok;
    presented = true;
  }
  return presented ? verdict::invalid : verdict::missing;
}

authenticator::verdict authenticator::check_bearer(const request& req) const {
  if (impl_->options.disabled) return verdict::ok;
  const auto t = bearer_token(req.headers);
  if (!t) return verdict::missing;
  return impl_->token_matches(*t) ? verdict::ok : verdict::invalid;
}

std::optional<response> authenticator::login(const request& /*req*/, const request_context& ctx) {
  if (impl_->options.disabled) return std::nullopt;
  split_query q = take_token(ctx.query);
  if (!q.token) return std::nullopt;
  if (!impl_->token_matches(*q.token)) {
    response res = text_response(401, "401 Unauthorized: the token in this URL is not " +
                                          impl_->options.server_name + "'s token; " +
                                          impl_->options.login_hint + "\n");
    res.headers.set("WWW-Authenticate", "Bearer realm=\"vmterm\", error=\"invalid_token\"");
    res.headers.set("Cache-Control", "no-store");
    return res;
  }
  std::string location = local_path(ctx.path);
  if (!q.rest.empty()) location += "?" + q.rest;
  response res = text_response(303, "303 See Other\n");
  res.headers.set("Location", std::move(location));
  res.headers.set("Set-Cookie", impl_->set_cookie(impl_->new_session()));
  res.headers.set("Cache-Control", "no-store");
  return res;
}

response authenticator::unauthorized(verdict why) const {
  const auth_options& o = impl_->options;
  std::string body = "401 Unauthorized: ";
  if (why == verdict::invalid) {
    body += "the session or token is not valid (a session ends when " + o.server_name +
            " restarts or after " + lifetime_words(o.session_lifetime) + " unused); " +
            o.login_hint + "\n";
  } else {
    body += "this needs a login; " + o.login_hint +
            " (programs send the token in 'Authorization: Bearer TOKEN')\n";
  }
  response res = text_response(401, std::move(body));
  res.headers.set("WWW-Authenticate", why == verdict::invalid
                                          ? "Bearer realm=\"vmterm\", error=\"invalid_token\""
                                          : "Bearer realm=\"vmterm\"");
  res.headers.set("Cache-Control", "no-store");
  return res;
}

response authenticator::forbidden_origin(std::string_view origin) const {
  std::string body = "403 Forbidden: ";
  if (origin.empty()) {
    body +=
        "WebSocket upgrade without an Origin header; browsers send one, other clients must send "
        "'Authorization: Bearer TOKEN'\n";
  } else {
    const std::string shown = shown_origin(origin);
    body += "WebSocket connection from origin '" + shown +
            "' refused: it is not this server's host; to allow it, " +
            impl_->options.allow_origin_advice + " " + shown + "\n";
  }
  return text_response(403, std::move(body));
}

bool authenticator::origin_ok(const request& req) const {
  const auto origin = req.headers.get("Origin");
  if (!origin) {
    // Browsers always send Origin on a WebSocket upgrade; without one the client is a program,
    // which cannot be a cross-site page riding on a cookie, but must then prove the token.
    return impl_->options.disabled || check_bearer(req) == verdict::ok;
  }
  const auth_options& o = impl_->options;
  if (origin_allowed(*origin, {}, o.allowed_origins)) return true;  // allowed by name
  // Otherwise the page must come from this very host:port, and that host must be one of the
  // server's names: a rebound name sends a Host that matches its Origin.
  const auto host = req.headers.get("Host");
  if (!host || (o.hosts && !o.hosts->allows(*host))) return false;
  return origin_allowed(*origin, *host, {});
}

std::size_t authenticator::sessions() const {
  const auto t = impl_->now();
  std::lock_guard lock(impl_->mu);
  impl_->prune(t);
  return impl_->sessions.size();
}

}  // namespace vmterm::http
