#pragma once
/// The build's version, for --version (config::version_line). Compiled into one small file
/// (version.cpp) so that a new `git describe` at configure time recompiles only that file.

#include <string_view>

namespace vmterm::core {

/// The CMake project version, "0.1.0".
[[nodiscard]] std::string_view version() noexcept;
/// `git describe --tags --always --dirty` of the source tree at configure time, e.g.
/// "v0.1.0-12-gabc1234" or "abc1234"; "" when it was not a git checkout.
[[nodiscard]] std::string_view git_describe() noexcept;

}  // namespace vmterm::core
