#include "ssh/target.hpp"

#include <algorithm>
#include <charconv>

namespace vmterm::ssh {
namespace {

tl::unexpected<error> bad(std::string_view text, std::string_view why) {
  return fail(std::errc::invalid_argument, "ssh target '" + std::string(text) + "': " +
                                               std::string(why) + "; expected USER@HOST[:PORT]");
}

bool parse_port(std::string_view s, std::uint16_t& port) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value == 0 || value > 65535) return false;
  port = static_cast<std::uint16_t>(value);
  return true;
}

}  // namespace

expected<target> parse_target(std::string_view text, std::string_view default_user) {
  target t;
  if (text.empty()) return bad(text, "empty");
  std::string_view rest = text;
  // The last '@' separates the user: a user name may not contain one, but be lenient.
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    t.user = std::string(rest.substr(0, at));
    if (t.user.empty()) return bad(text, "empty user name before '@'");
    rest = rest.substr(at + 1);
  } else if (!default_user.empty()) {
    t.user = std::string(default_user);
  } else {
    return bad(text, "no user name (give USER@ or set AWS_USERNAME)");
  }
  std::string_view port_text;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return bad(text, "'[' without ']'");
    t.host = std::string(rest.substr(1, close - 1));
    const auto after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad(text, "unexpected text after ']'");
      port_text = after.substr(1);
      if (port_text.empty()) return bad(text, "empty port after ':'");
    }
  } else if (const auto colon = rest.find(':'); colon == std::string_view::npos) {
    t.host = std::string(rest);
  } else if (rest.find(':', colon + 1) != std::string_view::npos) {
    t.host = std::string(rest);  // a bare IPv6 address: no port (write [v6]:port for one)
  } else {
    t.host = std::string(rest.substr(0, colon));
    port_text = rest.substr(colon + 1);
    if (port_text.empty()) return bad(text, "empty port after ':'");
  }
  if (t.host.empty()) return bad(text, "empty host");
  if (t.host.find_first_of(" \t\r\n/@[]") != std::string::npos) {
    return bad(text, "invalid character in host '" + t.host + "'");
  }
  // One ':' makes neither a name nor an IPv6 address, and could not be written back (found by
  // scripts/fuzz ssh_text: "u@[a:b]" printed as "u@a:b", host "a" and port "b").
  if (std::count(t.host.begin(), t.host.end(), ':') == 1) {
    return bad(text, "host '" + t.host + "' is neither a name nor an IPv6 address");
  }
  if (!port_text.empty() && !parse_port(port_text, t.port)) {
    return bad(text, "port '" + std::string(port_text) + "' is not a number in 1..65535");
  }
  return t;
}

std::string to_string(const target& t) {
  const bool v6 = t.host.find(':') != std::string::npos;
  std::string out = t.user + "@";
  if (t.port == 22) return out + t.host;
  out += v6 ? "[" + t.host + "]" : t.host;
  return out + ":" + std::to_string(t.port);
}

}  // namespace vmterm::ssh
