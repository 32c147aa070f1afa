#pragma once
/// The SSH target as a user writes it: USER@HOST[:PORT], [IPV6]:PORT, a bare IPv6 address.
/// Pure.

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace vmterm::ssh {

struct target {
  std::string user;
  std::string host;  ///< without brackets ("::1", "ec2-1-2-3-4.compute.amazonaws.com")
  std::uint16_t port = 22;
  friend bool operator==(const target&, const target&) = default;
};

/// Parses `text`; a target without "USER@" takes `default_user` (AWS_USERNAME), and with
/// neither it is an error. Errors name the input: "ssh target 'x@': empty host; expected
/// USER@HOST[:PORT]".
[[nodiscard]] expected<target> parse_target(std::string_view text,
                                            std::string_view default_user = {});

/// "user@host:port" for messages ("user@[::1]:2222"; the port only when not 22).
[[nodiscard]] std::string to_string(const target& t);

}  // namespace vmterm::ssh
