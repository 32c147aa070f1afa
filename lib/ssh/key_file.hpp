#pragma once
/// Private files the SSH client reads (identity key, passphrase file): refused, as OpenSSH
/// refuses them, when the group or others may read them.

#include <filesystem>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace vmterm::ssh {

/// Ok when `file` exists and has no group/other permission bits. Errors name the file and the
/// fix: "identity file 'k.pem': permissions 0644 are too open (group or others can read it);
/// run chmod 600 k.pem". `what` is "identity file" or "passphrase file".
[[nodiscard]] expected<void> check_private_file(const std::filesystem::path& file,
                                                std::string_view what);

/// The passphrase: the file's first line without its line end, after check_private_file.
[[nodiscard]] expected<std::string> read_passphrase_file(const std::filesystem::path& file);

}  // namespace vmterm::ssh
