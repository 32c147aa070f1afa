#pragma once
/// The --ssh probe: TCP, the SSH banner and key exchange, and the host key compared with
/// known_hosts (hashed entries and [host]:port, lib/ssh as vmterm-serve's /readyz does it);
/// no authentication, then a clean SSH_MSG_DISCONNECT.

#include <filesystem>

#include "health/report.hpp"
#include "probe.hpp"
#include "ssh/target.hpp"

namespace vmterm::health_tool {

/// A changed host key is CRITICAL (hostkey_mismatch), an unknown one UNKNOWN
/// (hostkey_unknown): the probe cannot judge a server it does not know.
[[nodiscard]] health::check_result probe_ssh(const ssh::target& target,
                                             const std::filesystem::path& known_hosts,
                                             const probe_settings& settings);

}  // namespace vmterm::health_tool
