#include "http/url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>

namespace vmterm::http {
namespace {

/// The URL as it may appear in a message: user info (which may hold a password) masked.
std::string shown(std::string_view text) {
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return std::string(text);
  const auto authority_start = scheme_end + 3;
  const auto authority_end = text.find_first_of("/?#", authority_start);
  const auto authority = text.substr(authority_start, authority_end == std::string_view::npos
                                                          ? std::string_view::npos
                                                          : authority_end - authority_start);
  const auto at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(text);
  return std::string(text.substr(0, authority_start)) + "***" +
         std::string(text.substr(authority_start + at));
}

tl::unexpected<error> bad(std::string_view text, std::string_view reason) {
  return fail(std::errc::invalid_argument,
              "parse URL '" + shown(text) + "': " + std::string(reason));
}

}  // namespace

std::string url::target() const { return query.empty() ? path : path + "?" + query; }

std::string url::authority() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  const std::uint16_t default_port = tls() ? 443 : 80;
  if (port != default_port) out += ":" + std::to_string(port);
  return out;
}

std::string url::str() const { return scheme + "://" + authority() + target(); }

expected<url> parse_url(std::string_view text) {
  if (text.empty()) return bad(text, "the URL is empty; use http://host:port/path");
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) {
    return bad(text,
               "not an absolute URL (" + parsed.error().message() + "); use http://host:port/path");
  }
  const boost::urls::url_view& u = *parsed;
  url out;
  const auto id = u.scheme_id();
  if (id == boost::urls::scheme::http) {
    out.scheme = "http";
  } else if (id == boost::urls::scheme::https) {
    out.scheme = "https";
  } else {
    return bad(
        text, "scheme '" + std::string(u.scheme()) + "' is not supported; use http:// or https://");
  }
  if (!u.has_authority() || u.encoded_host().empty()) return bad(text, "the URL has no host");
  if (u.has_userinfo()) {
    return bad(text, "user info in URLs is not supported; send credentials in a header");
  }
  out.host = u.host_address();
  out.port = out.tls() ? 443 : 80;
  if (u.has_port() && !u.port().empty()) {
    const auto port_text = u.port();
    unsigned value = 0;
    const auto [ptr, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      return bad(text, "port '" + std::string(port_text) + "' is not in 1..65535");
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  out.path = u.encoded_path().empty() ? std::string("/") : std::string(u.encoded_path());
  if (u.has_query()) out.query = std::string(u.encoded_query());
  return out;
}

std::string join_path(std::string_view base, std::string_view tail) {
  std::string out(base);
  while (!out.empty() && out.back() == '/') out.pop_back();
  while (!tail.empty() && tail.front() == '/') tail.remove_prefix(1);
  out += '/';
  out += tail;
  return out;
}

}  // namespace vmterm::http
