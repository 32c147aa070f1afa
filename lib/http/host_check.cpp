#include "http/host_check.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace vmterm::http {
namespace {

constexpr std::size_t shown_host_limit = 200;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_ipv4(const std::string& s) {
  in_addr a{};
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

bool is_ipv6(const std::string& s) {
  in6_addr a{};
  return inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

bool is_loopback(const std::string& address) {
  if (address == "::1") return true;
  in_addr a{};
  return inet_pton(AF_INET, address.c_str(), &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

/// Letters, digits, '-', '_' and '.': a DNS name (or an IPv4 literal).
bool plain_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
}

std::string shown(std::string_view host) {
  std::string out;
  for (const char c : host.substr(0, shown_host_limit)) {
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (host.size() > shown_host_limit) out += "...";
  return out;
}

}  // namespace

std::optional<std::string> host_name_of(std::string_view host_header) {
  std::string_view name;
  std::string_view rest;
  if (host_header.starts_with('[')) {
    const auto close = host_header.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    name = host_header.substr(1, close - 1);
    rest = host_header.substr(close + 1);
    if (!is_ipv6(std::string(name))) return std::nullopt;
  } else {
    const auto colon = host_header.find(':');
    name = host_header.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view{} : host_header.substr(colon);
    if (!plain_name(name)) return std::nullopt;
  }
  if (!rest.empty()) {
    const auto port = rest.substr(1);
    if (rest.front() != ':' || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      return std::nullopt;
    }
  }
  return lower(name);
}

host_allow_list::host_allow_list(const endpoint& listen, const std::vector<std::string>& extra)
    : any_(false) {
  const std::string address = lower(listen.address);
  names_.push_back(address);
  if (address == "0.0.0.0" || address == "::") {
    any_ip_literal_ = true;
    names_.emplace_back("localhost");
  } else if (is_loopback(address)) {
    for (const char* n : {"localhost", "127.0.0.1", "::1"}) names_.emplace_back(n);
  }
  for (const auto& e : extra) {
    if (e == "*") any_ = true;
    names_.push_back(lower(e));
  }
}

bool host_allow_list::allows(std::string_view host_header) const {
  if (any_) return true;
  const auto name = host_name_of(host_header);
  if (!name) return false;
  if (any_ip_literal_ && (is_ipv4(*name) || is_ipv6(*name))) return true;
  return std::find(names_.begin(), names_.end(), *name) != names_.end();
}

expected<std::string> normalize_host_name(std::string_view name) {
  if (name == "*") return std::string("*");
  const std::string quoted = "'" + shown(name) + "'";
  std::string_view inner = name;
  if (inner.starts_with('[')) {
    if (!inner.ends_with(']')) {
      return fail(std::errc::invalid_argument,
                  quoted + " has a port; give the name only (any port is accepted)");
    }
    inner = inner.substr(1, inner.size() - 2);
  }
  if (is_ipv6(std::string(inner))) return lower(inner);
  if (const auto colon = inner.find(':');
      colon != std::string_view::npos && plain_name(inner.substr(0, colon))) {
    return fail(std::errc::invalid_argument,
                quoted + " has a port; give the name only (any port is accepted)");
  }
  if (!plain_name(inner)) {
    return fail(std::errc::invalid_argument,
                quoted +
                    " is not a host name; use a name such as vmterm.example.com, an IP "
                    "address, or *");
  }
  return lower(inner);
}

std::string forbidden_host_message(std::string_view host_header, std::string_view advice) {
  const auto name = host_name_of(host_header);
  std::string hint = name ? *name : std::string("NAME");
  if (name && is_ipv6(*name)) hint = "[" + hint + "]";
  return "403 Forbidden: Host '" + shown(host_header) +
         "' is not a name of this server (a page of another site can send it after a DNS "
         "rebinding); to reach the server by that name, " +
         std::string(advice) + " " + shown(hint) + "\n";
}

std::string bad_host_count_message(std::size_t count) {
  if (count == 0) return "400 Bad Request: an HTTP/1.1 request needs a Host header\n";
  return "400 Bad Request: the request has " + std::to_string(count) +
         " Host headers; send exactly one\n";
}

}  // namespace vmterm::http
