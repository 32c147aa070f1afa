#pragma once
/// The host key decision: known → go on; unknown → refuse with the fingerprint and how to
/// trust it, or, with accept_new, append it to known_hosts and go on; changed or
/// revoked → always refuse, loudly. Reads (and may append to) the known_hosts file.

#include <filesystem>
#include <string_view>

#include "core/error.hpp"
#include "ssh/host_key.hpp"
#include "ssh/target.hpp"

namespace vmterm::ssh {

/// How an unknown key's refusal ends by default ("... and trust it by accepting new host keys").
inline constexpr std::string_view default_trust_advice = "trust it by accepting new host keys";

enum class new_key_policy {
  refuse,      ///< unknown keys are refused
  accept,      ///< unknown keys are appended to known_hosts (trust on first use)
  accept_dry,  ///< unknown keys pass but are not written (readiness probes)
};

/// Errors carry ssh::errc codes (host_key_unknown, _changed, _revoked, config) and a message
/// that names the host, the key's SHA256 fingerprint and the known_hosts file; an unknown key's
/// ends "... and " + `trust_advice` (ssh_advice::trust_new_key, in the tool's words).
[[nodiscard]] expected<void> verify_host_key(const target& t,
                                             const std::filesystem::path& known_hosts,
                                             const host_key& key, new_key_policy policy,
                                             std::string_view trust_advice = default_trust_advice);

}  // namespace vmterm::ssh
