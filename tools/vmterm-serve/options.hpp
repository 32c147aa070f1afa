#pragma once
/// vmterm-serve's flags, each declared once through core/flags.hpp (name, environment
/// variables, default, parser, help): the values here are resolved (flag > environment >
/// default) and each checked on its own; settings.hpp then checks them together (the token, the
/// SSH target and its files, --command with or without --ssh).

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/flags.hpp"
#include "http/request_tracing.hpp"

namespace vmterm::serve {

/// What the command line and the environment said, each value checked on its own.
struct options {
  // where and how it listens
  std::string listen{};     ///< --listen / VMTERM_LISTEN (a valid HOST:PORT)
  std::string base_path{};  ///< --base-path / VMTERM_BASE_PATH (a plain path from '/')
  std::optional<std::string> tls_cert{};  ///< --tls-cert
  std::optional<std::string> tls_key{};   ///< --tls-key

  // who gets in
  std::optional<std::string> token_file{};   ///< --token-file / VMTERM_TOKEN_FILE (VMTERM_TOKEN)
  bool no_auth = false;                      ///< --no-auth (loopback only)
  std::vector<std::string> allow_origins{};  ///< --allow-origin, repeatable (valid origins)
  std::vector<std::string> allow_hosts{};    ///< --allow-host / VMTERM_ALLOW_HOST (normalized)

  // the terminal backend: a local PTY, or SSH with --ssh
  std::optional<std::string> command{};   ///< --command / VMTERM_COMMAND
  std::optional<std::string> ssh{};       ///< --ssh / VMTERM_SSH (AWS_HOSTNAME + AWS_USERNAME)
  std::optional<std::string> identity{};  ///< -i, --identity / VMTERM_IDENTITY
  std::optional<std::string> passphrase_file{};  ///< --identity-passphrase-file
  std::optional<std::string> known_hosts{};      ///< --known-hosts / VMTERM_KNOWN_HOSTS
  bool accept_new_host_key = false;              ///< --accept-new-host-key
  std::chrono::milliseconds ssh_timeout{};       ///< --ssh-timeout
  std::chrono::milliseconds ssh_keepalive{};     ///< --ssh-keepalive (0 = none)

  // Redis, checked by /health-check/ and /readyz
  std::optional<std::string> redis_url{};  ///< --redis-url / VMTERM_REDIS_URL (a valid URL)

  // sessions
  std::size_t max_sessions{};                ///< --max-sessions
  std::chrono::milliseconds idle_timeout{};  ///< --idle-timeout (0 = never)
  std::chrono::milliseconds resume_grace{};  ///< --resume-grace
  std::size_t max_message{};                 ///< --max-message
  bool readonly = false;                     ///< --readonly
  std::string compression{};                 ///< --compression on|off

  // diagnostics
  std::string log_format{};                 ///< --log-format / VMTERM_LOG_FORMAT (checked)
  std::string log_level{};                  ///< --log-level / VMTERM_LOG_LEVEL (checked)
  http::request_tracing request_tracing{};  ///< --trace-exclude, --slow-request (checked)

  /// Where each value came from: "--listen" (given on the command line), "VMTERM_LISTEN" or
  /// "default" (flag_set::origins), for the messages of settings.hpp's checks.
  std::map<std::string, std::string> origins{};
};

/// Declares every flag into `opt`; `flags` resolves them after the command line is parsed.
void add_flags(config::flag_set& flags, options& opt);
/// Parses argv into `opt` (flag > environment > default). Returns an exit code when the program
/// should end now (0 after --help or --version; 2 after a usage error, printed as
/// "vmterm-serve: ...; fix"), or nullopt.
[[nodiscard]] std::optional<int> parse_command_line(int argc, char** argv, options& opt);

}  // namespace vmterm::serve
