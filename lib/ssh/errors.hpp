#pragma once
/// Why an SSH connection failed, as an error_code category ("vmterm.ssh"), so callers can
/// branch on the cause and metrics and spans can name it (`error.type`, the `reason` label).

#include <string_view>
#include <system_error>

namespace vmterm::ssh {

enum class errc {
  dns = 1,           ///< the host name does not resolve
  refused,           ///< TCP connection refused or unreachable
  timeout,           ///< the connect deadline (ssh_options::timeout) passed first
  host_key_unknown,  ///< not in known_hosts (and --accept-new-host-key not given)
  host_key_changed,  ///< known_hosts holds another key for this host
  host_key_revoked,  ///< an @revoked line names the key
  auth,              ///< no authentication method succeeded
  config,            ///< identity or passphrase file unusable, no agent, bad known_hosts
  protocol,          ///< SSH handshake or channel refused by the server
  connection_lost,   ///< the connection broke once the session was up
  cancelled,         ///< closed by the caller before the session was up
};

[[nodiscard]] const std::error_category& ssh_category() noexcept;
[[nodiscard]] inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), ssh_category()};
}
/// Short snake_case name: "dns", "host_key_changed", ... (metric label and span error.type).
[[nodiscard]] std::string_view reason_name(const std::error_code& ec) noexcept;

}  // namespace vmterm::ssh

template <>
struct std::is_error_code_enum<vmterm::ssh::errc> : std::true_type {};
