#pragma once
/// Reading OTEL_* variables by the OpenTelemetry rules: empty is unset, a bad value produces one
/// warning and the default is used. Warnings go to a sink so that tests can read their text.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/config.hpp"

namespace vmterm::trace {

/// Receives one diagnostic line (without a trailing newline). Must not throw.
using warn_fn = std::function<void(const std::string&)>;

/// A sink writing "<prefix>: <message>\n" to stderr in one write.
[[nodiscard]] warn_fn stderr_warn(std::string prefix);

/// The value of `name`, nullopt when unset or empty (even if `env` returns "").
[[nodiscard]] std::optional<std::string> env_value(const config::env_lookup& env,
                                                   std::string_view name);

/// A whole number in [min, max]; on a bad value warns
/// "NAME='abc': 'abc' is not a whole number; using the default 2048" and returns nullopt.
[[nodiscard]] std::optional<std::int64_t> env_integer(const config::env_lookup& env,
                                                      std::string_view name, std::int64_t min,
                                                      std::int64_t max, std::string_view fallback,
                                                      const warn_fn& warn);

/// A duration in bare milliseconds (the OTel rule for *_DELAY and *_TIMEOUT); also accepts a
/// unit suffix ("5s"). Negative or malformed values warn and return nullopt.
[[nodiscard]] std::optional<std::chrono::milliseconds> env_millis(const config::env_lookup& env,
                                                                  std::string_view name,
                                                                  std::string_view fallback,
                                                                  const warn_fn& warn);

/// OTel boolean: only case-insensitive "true" is true; anything else but "false" warns.
[[nodiscard]] bool env_bool(const config::env_lookup& env, std::string_view name,
                            const warn_fn& warn);

/// ASCII lower-case copy.
[[nodiscard]] std::string ascii_lower(std::string_view text);

}  // namespace vmterm::trace
