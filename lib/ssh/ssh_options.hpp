#pragma once
/// Everything an SSH session needs, filled from the tool's settings (a terminal server's or a
/// probe's): the library knows none of their flags.

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
/// tool may give its own words (e.g. "raise --ssh-timeout" for a tool with that flag).
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
  ssh::target target{};                     ///< the host to log in to: USER@HOST[:PORT]
  std::filesystem::path identity{};         ///< private key file; empty: keys from ssh-agent
  std::filesystem::path passphrase_file{};  ///< the identity's passphrase file; empty: none
  std::filesystem::path known_hosts{};      ///< known_hosts file; empty: ~/.ssh/known_hosts
  bool accept_new_host_key = false;         ///< trust (and record) a host key not yet known
  /// The connect deadline: resolve + TCP connect + handshake + auth + channel, all together.
  std::chrono::milliseconds timeout{std::chrono::seconds(15)};
  /// Interval of keepalive requests; 0 = none.
  std::chrono::seconds keepalive{std::chrono::seconds(30)};
  /// ssh-agent socket; empty: $SSH_AUTH_SOCK (used only when no identity file is given).
  std::string agent_socket{};
  /// Remote command instead of the login shell (empty: the shell).
  std::string command{};
  std::string term = "xterm-256color";
  /// vmterm_ssh_* metrics; not owned; null: none.
  metrics::registry* registry = nullptr;
  /// Addresses tried: any family, or only IPv4 / IPv6.
  enum class ip_family { any, v4, v6 } family = ip_family::any;
  /// Tracer for the ssh.* CLIENT spans; nullopt: trace::get_tracer("vmterm.ssh").
  std::optional<trace::tracer> tracer{};
  /// The fixes' words for the tool's settings.
  ssh_advice advice{};
};

}  // namespace vmterm::ssh
