#include "core/address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace vmterm::address {

bool is_loopback(std::string_view address) noexcept {
  if (address == "::1") return true;
  char text[INET_ADDRSTRLEN] = {};
  if (address.size() >= sizeof text || address.find('\0') != std::string_view::npos) return false;
  std::copy(address.begin(), address.end(), text);
  in_addr a{};
  if (inet_pton(AF_INET, text, &a) != 1) return false;
  return (ntohl(a.s_addr) >> 24) == 127;
}

bool valid_origin(std::string_view origin) noexcept {
  if (origin == "*") return true;
  std::string_view rest;
  if (origin.starts_with("http://")) {
    rest = origin.substr(7);
  } else if (origin.starts_with("https://")) {
    rest = origin.substr(8);
  } else {
    return false;
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  return !rest.empty() && std::all_of(rest.begin(), rest.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
           c == '[' || c == ']';
  });
}

}  // namespace vmterm::address
