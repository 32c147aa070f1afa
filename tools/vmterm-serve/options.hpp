#pragma once
/// vmterm-serve's flags: one struct filled by CLI11 (add_flags) holding the text as given;
/// settings.hpp turns it, with the environment, into checked values.

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace vmterm::serve {

inline constexpr const char* default_listen = "127.0.0.1:8000";

/// What the command line said; nullopt = not given (the environment or the default decides).
struct options {
  // where and how it listens
  std::optional<std::string> listen{};     ///< --listen / VMTERM_LISTEN
  std::optional<std::string> base_path{};  ///< --base-path / VMTERM_BASE_PATH
  std::optional<std::string> tls_cert{};   ///< --tls-cert
  std::optional<std::string> tls_key{};    ///< --tls-key

  // who gets in
  std::optional<std::string> token_file{};   ///< --token-file / VMTERM_TOKEN_FILE (VMTERM_TOKEN)
  bool no_auth = false;                      ///< --no-auth (loopback only)
  std::vector<std::string> allow_origins{};  ///< --allow-origin, repeatable
  std::vector<std::string> allow_hosts{};    ///< --allow-host, repeatable / VMTERM_ALLOW_HOST

  // the terminal backend: a local PTY, or SSH with --ssh
  std::optional<std::string> command{};   ///< --command / VMTERM_COMMAND
  std::optional<std::string> ssh{};       ///< --ssh / VMTERM_SSH (AWS_HOSTNAME + AWS_USERNAME)
  std::optional<std::string> identity{};  ///< -i, --identity / VMTERM_IDENTITY
  std::optional<std::string> passphrase_file{};  ///< --identity-passphrase-file
  std::optional<std::string> known_hosts{};      ///< --known-hosts / VMTERM_KNOWN_HOSTS
  bool accept_new_host_key = false;              ///< --accept-new-host-key
  std::optional<std::string> ssh_timeout{};      ///< --ssh-timeout (15s)
  std::optional<std::string> ssh_keepalive{};    ///< --ssh-keepalive (30s; 0 = none)

  // Redis, checked by /health-check/ and /readyz
  std::optional<std::string> redis_url{};  ///< --redis-url / VMTERM_REDIS_URL

  // sessions
  std::optional<std::string> max_sessions{};  ///< --max-sessions (16)
  std::optional<std::string> idle_timeout{};  ///< --idle-timeout (0 = never)
  std::optional<std::string> resume_grace{};  ///< --resume-grace (60s)
  std::optional<std::string> max_message{};   ///< --max-message (1MiB)
  bool readonly = false;                      ///< --readonly
  std::optional<std::string> compression{};   ///< --compression on|off

  // diagnostics
  std::optional<std::string> log_format{};  ///< --log-format / VMTERM_LOG_FORMAT (json)
  std::optional<std::string> log_level{};   ///< --log-level / VMTERM_LOG_LEVEL (info)
};

/// Adds every flag to `app`, bound to `opt`. Values are checked later (settings.hpp), so that
/// each message names the flag or variable, the value and the fix.
void add_flags(CLI::App& app, options& opt);

}  // namespace vmterm::serve
