#pragma once
/// A server's public host key as the SSH protocol carries it (the "key blob"), with the
/// SHA256 fingerprint OpenSSH prints for it. Pure.

#include <optional>
#include <string>
#include <string_view>

namespace vmterm::ssh {

struct host_key {
  std::string type;  ///< "ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa", ...
  std::string blob;  ///< the raw key blob (binary), as in known_hosts once base64-decoded
  friend bool operator==(const host_key&, const host_key&) = default;
};

/// The key from its blob; the type is the blob's first string. nullopt when malformed.
[[nodiscard]] std::optional<host_key> host_key_from_blob(std::string_view blob);
/// The key from "TYPE BASE64" (a .pub line or the end of a known_hosts line); nullopt if bad.
[[nodiscard]] std::optional<host_key> host_key_from_text(std::string_view type,
                                                         std::string_view base64);

/// "SHA256:" + unpadded base64 of SHA-256(blob), as `ssh-keygen -l -E sha256` prints it.
[[nodiscard]] std::string fingerprint_sha256(std::string_view blob);

/// Standard base64 with padding, and its inverse (nullopt on invalid input).
[[nodiscard]] std::string base64_encode(std::string_view bytes);
[[nodiscard]] std::optional<std::string> base64_decode(std::string_view text);

}  // namespace vmterm::ssh
