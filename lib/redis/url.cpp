#include "redis/url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>
#include <climits>

namespace vmterm::redis {
namespace {

constexpr std::string_view tcp_form = "use redis://[user:password@]host:port/db";
constexpr std::string_view unix_form = "use unix:///path/to/redis.sock[?db=N]";

/// `text` with the password of its user info replaced by "***" (the whole user info when it
/// has no ':', since a lone word there may be a password), so messages never show it.
std::string masked(std::string_view text) {
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    // No authority to find: mask anything before an '@' to be safe.
    const auto at = text.rfind('@');
    if (at == std::string_view::npos) return std::string(text);
    return "***" + std::string(text.substr(at));
  }
  const auto start = scheme_end + 3;
  const auto end = text.find_first_of("/?#", start);
  const auto authority = text.substr(start, end == std::string_view::npos ? end : end - start);
  const auto at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(text);
  const auto userinfo = authority.substr(0, at);
  const auto colon = userinfo.find(':');
  std::string out(text.substr(0, start));
  if (colon == std::string_view::npos) {
    out += "***";
  } else {
    out += std::string(userinfo.substr(0, colon + 1)) + "***";
  }
  out += std::string(text.substr(start + at));
  return out;
}

tl::unexpected<error> bad(std::string_view text, std::string_view reason,
                          std::string_view fix = tcp_form) {
  return fail(std::errc::invalid_argument,
              "redis URL '" + masked(text) + "': " + std::string(reason) + "; " + std::string(fix));
}

bool parse_number(std::string_view s, long long lo, long long hi, long long& out) {
  if (s.empty()) return false;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && ptr == s.data() + s.size() && out >= lo && out <= hi;
}

/// The port text of a redis:// authority, found by hand: Boost.URL refuses a non-numeric
/// port outright, and the message should say which part is wrong.
std::string_view port_text(std::string_view text, bool& present) {
  present = false;
  const auto start = text.find("://");
  if (start == std::string_view::npos) return {};
  const auto from = start + 3;
  const auto end = text.find_first_of("/?#", from);
  auto authority = text.substr(from, end == std::string_view::npos ? end : end - from);
  const auto at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return {};
    authority.remove_prefix(close + 1);
    if (authority.empty() || authority.front() != ':') return {};
    present = true;
    return authority.substr(1);
  }
  const auto colon = authority.find(':');
  if (colon == std::string_view::npos) return {};
  present = true;
  return authority.substr(colon + 1);
}

expected<void> credentials(std::string_view text, const boost::urls::url_view& u, url& out) {
  if (!u.has_userinfo()) return {};
  if (!u.has_password()) {
    return bad(text,
               "user info without a password (AUTH needs one); write "
               "redis://:password@host for a password alone or redis://user:password@host");
  }
  out.user = u.user();
  out.password = u.password();
  if (out.password.empty()) {
    return bad(text, "the password is empty; remove the '@' part or give the password");
  }
  return {};
}

expected<url> parse_unix(std::string_view text, const boost::urls::url_view& u) {
  url out;
  out.host.clear();
  out.port = 0;
  if (auto c = credentials(text, u, out); !c) return tl::unexpected(c.error());
  if (u.has_authority() && !u.encoded_host().empty()) {
    return bad(text, "a unix socket URL has no host (three slashes: unix:///path)", unix_form);
  }
  out.unix_path = u.path();
  if (out.unix_path.empty() || out.unix_path == "/") {
    return bad(text, "no socket path", unix_form);
  }
  for (const auto& p : u.params()) {
    if (p.key == "db") {
      long long db = 0;
      if (!p.has_value || !parse_number(p.value, 0, INT_MAX, db)) {
        return bad(text,
                   "database '" + std::string(p.value) + "' is not a number from 0 to " +
                       std::to_string(INT_MAX),
                   unix_form);
      }
      out.db = static_cast<int>(db);
    } else {
      return bad(text, "unknown parameter '" + std::string(p.key) + "' (only db is known)",
                 unix_form);
    }
  }
  return out;
}

}  // namespace

std::string url::redacted() const {
  std::string out = unix_path.empty() ? "redis://" : "unix://";
  if (!password.empty()) out += user + ":***@";
  if (!unix_path.empty()) {
    out += unix_path;
    if (db != 0) out += "?db=" + std::to_string(db);
    return out;
  }
  out += address() + "/" + std::to_string(db);
  return out;
}

std::string url::address() const {
  if (!unix_path.empty()) return unix_path;
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

expected<url> parse_url(std::string_view text) {
  if (text.empty()) return bad(text, "the URL is empty");
  bool has_port = false;
  const auto port = port_text(text, has_port);
  long long port_value = 6379;
  const bool tcp = text.starts_with("redis://");
  if (tcp && has_port && !port.empty() && !parse_number(port, 1, 65535, port_value)) {
    return bad(text, "port '" + std::string(port) + "' is not a number from 1 to 65535");
  }
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) {
    return bad(text, "not a URL (" + parsed.error().message() + ")");
  }
  const boost::urls::url_view& u = *parsed;
  const auto scheme = u.scheme();
  if (scheme == "rediss") {
    return bad(text, "TLS (rediss://) is not supported yet",
               "use redis:// on a trusted network, or reach Redis through an SSH tunnel");
  }
  if (scheme == "unix" || scheme == "redis+unix") return parse_unix(text, u);
  if (scheme != "redis") {
    return bad(text, "scheme '" + std::string(scheme) + "' is not supported",
               "use redis://[user:password@]host:port/db or unix:///path/to/redis.sock");
  }
  url out;
  if (!u.has_authority() || u.encoded_host().empty()) return bad(text, "no host");
  out.host = u.host_address();
  out.port = static_cast<std::uint16_t>(port_value);
  if (auto c = credentials(text, u, out); !c) return tl::unexpected(c.error());
  std::string_view path = u.encoded_path();
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (!path.empty()) {
    long long db = 0;
    if (!parse_number(path, 0, INT_MAX, db)) {
      return bad(text, "database '" + std::string(path) + "' is not a number from 0 to " +
                           std::to_string(INT_MAX));
    }
    out.db = static_cast<int>(db);
  }
  if (u.has_query()) {
    return bad(text, "query parameters are not supported (give the db in the path)");
  }
  return out;
}

}  // namespace vmterm::redis
