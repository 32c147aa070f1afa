#pragma once
/// Checks on network names given as text (listen addresses, WebSocket origins). Pure.

#include <string_view>

namespace vmterm::address {

/// True for 127.0.0.0/8 and ::1 (as text, without brackets): what "only on this machine" means
/// for --no-auth and the default Host allow-list.
[[nodiscard]] bool is_loopback(std::string_view address) noexcept;

/// Whether `origin` is "*" or "scheme://host[:port]" with scheme http or https (one trailing '/'
/// allowed).
[[nodiscard]] bool valid_origin(std::string_view origin) noexcept;

}  // namespace vmterm::address
