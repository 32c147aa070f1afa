#include "http/listen_address.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace vmterm::http {
namespace {

constexpr std::string_view form_hint = "; use HOST:PORT such as 127.0.0.1:8000";

// A NUL byte ends the text for inet_pton: "127.0.0.1\0junk" is no address (scripts/fuzz
// config_values found it accepted, and printed back as something else).
bool is_ipv4(const std::string& s) {
  if (s.find('\0') != std::string::npos) return false;
  in_addr a{};
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

bool is_ipv6(const std::string& s) {
  if (s.find('\0') != std::string::npos) return false;
  in6_addr a{};
  return inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

tl::unexpected<error> bad(std::string_view text, std::string_view reason) {
  return fail(std::errc::invalid_argument, "parse listen address '" + std::string(text) + "': " +
                                               std::string(reason) + std::string(form_hint));
}

}  // namespace

std::string endpoint::str() const {
  const bool v6 = address.find(':') != std::string::npos;
  return (v6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

expected<endpoint> parse_listen_address(std::string_view text) {
  if (text.empty()) return bad(text, "empty address");
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad(text, "missing port");
  std::string host(text.substr(0, colon));
  const std::string_view port_text = text.substr(colon + 1);
  if (port_text.empty()) return bad(text, "missing port");
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
    return bad(text, "port '" + std::string(port_text) + "' is not a number from 0 to 65535");
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
    if (!is_ipv6(host)) return bad(text, "'" + host + "' is not an IPv6 address");
  } else if (host == "localhost") {
    host = "127.0.0.1";
  } else if (host.empty()) {
    return bad(text, "missing host");
  } else if (!is_ipv4(host)) {
    return bad(text, "host '" + host + "' is not an IP address (IPv6 goes in brackets)");
  }
  return endpoint{std::move(host), static_cast<std::uint16_t>(port)};
}

}  // namespace vmterm::http
