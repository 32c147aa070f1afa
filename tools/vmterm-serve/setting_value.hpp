#pragma once
/// The pieces vmterm-serve's settings are checked with (settings.cpp, ssh_settings.cpp): a
/// value and where it came from, and the error that names the flag or variable, the value and
/// the fix.

#include <optional>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "core/error.hpp"
#include "options.hpp"
#include "settings.hpp"

namespace vmterm::serve::detail {

/// One value as given, and where it came from, for messages.
struct given {
  std::string text;
  std::string where;  ///< "--listen" or "VMTERM_LISTEN"
  bool from_env = false;
  bool secret = false;  ///< never repeat the text (VMTERM_TOKEN)
};

/// The value of `flag` (nullopt: not set) with the flag or variable that gave it (opt.origins).
[[nodiscard]] std::optional<given> given_of(const options& opt, const std::string& flag,
                                            const std::optional<std::string>& value);

/// Whether `flag` was given on the command line (not from the environment or the default).
[[nodiscard]] bool on_command_line(const options& opt, const std::string& flag);

/// "--max-sessions: '0' is out of range; ..." or, for a variable,
/// "environment variable VMTERM_LISTEN='x': ...; fix or unset VMTERM_LISTEN".
[[nodiscard]] error bad(const given& g, std::string_view message);

[[nodiscard]] std::string in_quotes(std::string_view s);

/// --ssh and its flags (SSH_AUTH_SOCK, AWS_HOSTNAME, AWS_USERNAME): sets s.ssh, or refuses the
/// SSH flags when there is no target.
[[nodiscard]] expected<void> resolve_ssh(const options& opt, const config::env_lookup& env,
                                         settings& s);

}  // namespace vmterm::serve::detail
