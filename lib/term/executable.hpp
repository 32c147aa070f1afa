#pragma once
/// Finding the program a terminal runs: the one PATH lookup of lib/term, used both where the
/// shell is spawned (pty_terminal) and where readiness is checked (vmterm-serve's /readyz), so
/// the two cannot disagree.

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace vmterm::term {

/// PATH when the environment has none (what execvp uses).
inline constexpr std::string_view default_path = "/usr/local/bin:/usr/bin:/bin";

/// Why `path` cannot be executed ("'/etc/passwd' is not executable", "... does not exist",
/// "... is not a program ..."), or "" when it can.
[[nodiscard]] std::string not_executable(const std::string& path);

/// Finds `program` as execvp would: a path with '/' as is, a bare name in `path_list`
/// (colon-separated; an empty entry is the current directory, as POSIX says). The error says
/// why it cannot be run: "'nosuch' is not found in PATH", "'/etc/passwd' is not executable".
[[nodiscard]] expected<std::string> find_executable(const std::string& program,
                                                    std::string_view path_list);

}  // namespace vmterm::term
