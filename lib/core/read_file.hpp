#pragma once
/// Reading a whole file through a close-on-exec descriptor. std::ifstream and fopen(3) without
/// "e" open without O_CLOEXEC, so a process forked meanwhile on another thread (vmterm-serve's
/// shells) could inherit the descriptor; code that runs while a server serves reads with this.

#include <cstddef>
#include <filesystem>
#include <string>
#include <system_error>

namespace vmterm {

/// The contents of `file`, at most `limit` bytes (more is an error: EFBIG). On failure the
/// error code is errno's (ENOENT, EACCES, EISDIR, ...) and the result is empty.
[[nodiscard]] std::string read_file(const std::filesystem::path& file, std::error_code& ec,
                                    std::size_t limit = std::size_t{64} << 20);

/// strerror(code) starting in lower case, to continue a message ("permission denied").
[[nodiscard]] std::string errno_words(int code);

}  // namespace vmterm
