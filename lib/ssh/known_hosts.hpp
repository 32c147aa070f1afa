#pragma once
/// OpenSSH known_hosts: lookup of a host's key (plain and hashed "|1|salt|hash" host
/// patterns, "[host]:port" for ports other than 22, comma lists, '*'/'?' wildcards, "!"
/// negation, @revoked; @cert-authority lines are skipped: vmterm does not verify host
/// certificates) and the line that trusts a new key. The lookup is pure; the file functions
/// read and append.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "ssh/host_key.hpp"

namespace vmterm::ssh {

enum class host_key_status {
  known,    ///< a line for this host holds this key
  unknown,  ///< no line for this host with a key of this type
  changed,  ///< lines for this host hold a different key of this type
  revoked,  ///< an @revoked line names this key
};

[[nodiscard]] std::string_view to_string(host_key_status s) noexcept;

struct known_hosts_result {
  host_key_status status = host_key_status::unknown;
  std::size_t line = 0;  ///< 1-based line that decided it (0 for unknown)
};

/// The name known_hosts files use for a host: "host" on port 22, "[host]:port" otherwise.
[[nodiscard]] std::string known_hosts_name(std::string_view host, std::uint16_t port);

/// Looks `key` up for host:port in the text of a known_hosts file. Host names compare
/// case-insensitively; revoked beats known beats changed beats unknown.
[[nodiscard]] known_hosts_result check_known_hosts(std::string_view content, std::string_view host,
                                                   std::uint16_t port, const host_key& key);

/// The key a known_hosts line holds (1-based `line`, as known_hosts_result names it; an
/// @revoked marker is skipped), so a changed key's message can name the expected fingerprint;
/// nullopt when the line holds no key.
[[nodiscard]] std::optional<host_key> key_at_line(std::string_view content, std::size_t line);

/// The line --accept-new-host-key appends: "[host]:port TYPE BASE64\n" (not hashed, so a
/// person can read and remove it).
[[nodiscard]] std::string known_hosts_line(std::string_view host, std::uint16_t port,
                                           const host_key& key);

/// The file's text; a missing file is empty (every host unknown).
[[nodiscard]] expected<std::string> read_known_hosts(const std::filesystem::path& file);
/// Appends `line`, creating the file (mode 0600) and its directory (0700) when missing, and
/// adding a newline first when the file does not end with one.
[[nodiscard]] expected<void> append_known_host(const std::filesystem::path& file,
                                               std::string_view line);

/// ~/.ssh/known_hosts ($HOME, else the passwd entry).
[[nodiscard]] std::filesystem::path default_known_hosts_file();

}  // namespace vmterm::ssh
