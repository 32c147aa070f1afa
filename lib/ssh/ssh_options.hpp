#pragma once
/// Everything an SSH session needs, filled from a tool's settings (vmterm-serve's flags,
/// vmterm-health's probe).

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "metrics/registry.hpp"
#include "ssh/host_key_policy.hpp"
#include "ssh/target.hpp"
#include "trace/tracer.hpp"

namespace vmterm::ssh {

/// How a message's fix names the tool's settings: the library knows no tool's flags, so each
/// tool may give its own words (vmterm-serve: "raise --ssh-timeout", ...).
struct ssh_advice {
  /// "...; check that the host is up, ..., or <timeout>".
  std::string timeout = "raise the SSH timeout";
  /// "no key to log in with: <identity>, or run ssh-agent with the key added ...".
  std::string identity = "give an identity file";
  /// "cannot load the key in identity file 'k' (if it is encrypted, <passphrase>)".
  std::string passphrase = "give the file with its passphrase";
  /// "host key not known: ...; check the fingerprint (...) and <trust_new_key>".
  std::string trust_new_key = std::string(default_trust_advice);
};

struct ssh_options {
  ssh::target target{};                     ///< --ssh USER@HOST[:PORT]
  std::filesystem::path identity{};         ///< --identity; empty: keys from ssh-agent
  std::filesystem::path passphrase_file{};  ///< --identity-passphrase-file; empty: none
  std::filesystem::path known_hosts{};      ///< --known-hosts; empty: ~/.ssh/known_hosts
  bool accept_new_host_key = false;         ///< --accept-new-host-key
  /// --ssh-timeout: resolve + TCP connect + handshake + auth + channel, all together.
  std::chrono::milliseconds timeout{std::chrono::seconds(15)};
  /// --ssh-keepalive: interval of keepalive requests; 0 = none.
  std::chrono::seconds keepalive{std::chrono::seconds(30)};
  /// ssh-agent socket; empty: $SSH_AUTH_SOCK (used only when no identity file is given).
  std::string agent_socket{};
  /// Remote command instead of the login shell (empty: the shell).
  std::string command{};
  std::string term = "xterm-256color";
  /// vmterm_ssh_* metrics; not owned; null: none.
  metrics::registry* registry = nullptr;
  /// Addresses tried: any family, or only IPv4 / IPv6 (vmterm-health -4/-6).
  enum class ip_family { any, v4, v6 } family = ip_family::any;
  /// Tracer for the ssh.* CLIENT spans; nullopt: trace::get_tracer("vmterm.ssh").
  std::optional<trace::tracer> tracer{};
  /// The fixes' words for the tool's settings.
  ssh_advice advice{};
};

}  // namespace vmterm::ssh
