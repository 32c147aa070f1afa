#pragma once
/// A real OpenSSH sshd for a test, run as the current user (root included) on a free
/// 127.0.0.1 port with its own config, a generated ed25519 host key, a generated user key and an
/// authorized_keys for the current user. No system configuration is read or changed (as root,
/// sshd needs its privilege-separation directory /run/sshd, which is created if missing, as
/// the openssh-server service itself does).

#include <cstdint>
#include <filesystem>
#include <string>

#include "process.hpp"
#include "service.hpp"
#include "temp_dir.hpp"

namespace vmterm::test {

class sshd_server {
 public:
  sshd_server();  ///< starts sshd and waits for its SSH banner; throws with its log otherwise
  ~sshd_server();
  sshd_server(const sshd_server&) = delete;
  sshd_server& operator=(const sshd_server&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return svc_.port; }
  [[nodiscard]] std::string host() const { return "127.0.0.1"; }
  [[nodiscard]] const std::string& user() const noexcept { return user_; }
  /// The user's private key (ed25519, no passphrase, mode 0600) and its .pub beside it.
  [[nodiscard]] std::filesystem::path identity_file() const { return dir_ / "id_ed25519"; }
  /// A known_hosts file holding exactly this server's host key as "[127.0.0.1]:PORT".
  [[nodiscard]] std::filesystem::path known_hosts_file() const { return dir_ / "known_hosts"; }
  /// "ssh-ed25519 AAAA..." of the host key.
  [[nodiscard]] const std::string& host_public_key() const noexcept { return host_key_; }
  /// "SHA256:..." as OpenSSH prints it.
  [[nodiscard]] const std::string& host_key_fingerprint() const noexcept { return fingerprint_; }
  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_.path(); }
  [[nodiscard]] std::string log() const;
  [[nodiscard]] bool running() { return svc_.process->running(); }
  /// Kills sshd and its sessions now (for tests of a server that dies mid-session). Each
  /// session's sshd leads its own session (setsid), so it is killed by pid, with SIGKILL.
  void stop();
  /// Stops (SIGSTOP) every session's processes: a server that hangs without closing its
  /// connections, as a host that dropped off the network looks to the client.
  void freeze_sessions();

  /// Runs `command` on the server with OpenSSH's client, key auth and strict host key checking
  /// against known_hosts_file().
  [[nodiscard]] run_result ssh(const std::string& command,
                               std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;

 private:
  temp_dir dir_{"vmterm-sshd"};
  std::string user_;
  std::string host_key_;
  std::string fingerprint_;
  started_service svc_;
};

}  // namespace vmterm::test
