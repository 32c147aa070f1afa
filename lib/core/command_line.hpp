#pragma once
/// Command lines given as one string (--command, VMTERM_COMMAND): split into argv words. Pure.

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace vmterm::parse {

/// Splits a command line into words at blanks; '...' quotes literally, "..." and \ escape as in
/// sh, without any expansion. Errors: "empty command", "unterminated \" quote".
[[nodiscard]] expected<std::vector<std::string>> split_command(std::string_view text);

}  // namespace vmterm::parse
