#pragma once
/// Times as people type them on the command line: RFC 3339 (`2024-01-31T05:28:29Z`,
/// `2024-01-31T05:28:29.2097+01:00`, also with a space instead of `T`) or a bare date
/// (`2024-01-31`, midnight UTC). Pure.

#include <cstdint>
#include <string_view>

#include "core/error.hpp"

namespace vmterm::jaeger {

/// ns since the epoch. Errors: "'<text>' is not an RFC 3339 time (e.g. 2024-01-31T05:28:29Z)".
[[nodiscard]] expected<std::uint64_t> parse_rfc3339(std::string_view text);

}  // namespace vmterm::jaeger
