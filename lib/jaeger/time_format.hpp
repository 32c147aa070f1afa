#pragma once
/// Times as people read them in a terminal: durations with three significant digits and a
/// unit (`850µs`, `12.3ms`, `1.25s`, `2m05s`, `1h02m`) and RFC 3339 UTC timestamps.

#include <cstdint>
#include <string>

namespace vmterm::jaeger {

/// `0µs`, `420ns`, `850µs`, `12.3ms`, `1.25s`, `59.9s`, `2m05s`, `1h02m`; trailing zeros of the
/// fraction are dropped (`12ms`, `1.5s`).
[[nodiscard]] std::string format_duration(std::uint64_t ns);

/// `2017-01-26T21:46:31.639875Z`: UTC, always microseconds (Jaeger's resolution).
[[nodiscard]] std::string format_rfc3339(std::uint64_t unix_nano);

}  // namespace vmterm::jaeger
