#pragma once
/// The configuration rule every tool follows: a flag given on the command line wins over an
/// environment variable, which wins over the built-in default. Empty environment variables
/// count as unset (the OpenTelemetry rule). Values from the environment are parsed here, and a
/// bad one is an error that names the variable, its value and the fix.

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "core/error.hpp"
#include "core/parse.hpp"

namespace vmterm::config {

/// Where a setting's value came from, for diagnostics ("--port", "VMTERM_PORT", "default").
enum class origin { flag, environment, fallback };

template <class T>
struct setting {
  T value;
  origin from;
  std::string source;  ///< the flag or variable name, or "default"
};

/// Looks up an environment variable; returns nullopt when unset *or empty*.
using env_lookup = std::function<std::optional<std::string>(std::string_view name)>;

/// The real process environment (getenv).
[[nodiscard]] env_lookup process_env();

/// Parses one value of type T from text; the error's message names only the value
/// ("'abc' is not a whole number"); resolve() adds which variable held it.
template <class T>
[[nodiscard]] expected<T> parse_as(std::string_view text) {
  if constexpr (std::is_same_v<T, std::string>) {
    return std::string(text);
  } else if constexpr (std::is_same_v<T, bool>) {
    return parse::boolean(text);
  } else if constexpr (std::is_integral_v<T>) {
    using limits = std::numeric_limits<T>;
    constexpr auto int64_max = std::numeric_limits<std::int64_t>::max();
    constexpr auto lo = static_cast<std::int64_t>(limits::min());
    constexpr auto hi =
        static_cast<std::uint64_t>(limits::max()) > static_cast<std::uint64_t>(int64_max)
            ? int64_max
            : static_cast<std::int64_t>(limits::max());
    auto v = parse::integer(parse::trim(text), lo, hi);
    if (!v) return tl::unexpected(v.error());
    return static_cast<T>(*v);
  } else if constexpr (std::is_floating_point_v<T>) {
    auto v = parse::number(parse::trim(text));
    if (!v) return tl::unexpected(v.error());
    return static_cast<T>(*v);
  } else if constexpr (std::is_same_v<T, std::chrono::milliseconds>) {
    auto v = parse::duration(parse::trim(text));
    if (!v) return tl::unexpected(v.error());
    return std::chrono::duration_cast<std::chrono::milliseconds>(*v);
  } else {
    static_assert(sizeof(T) == 0, "vmterm::config::parse_as: unsupported type");
  }
}

/// flag > environment > default. `flag_name` is used only to report where the value came
/// from. On a bad environment value the error reads
/// "environment variable VMTERM_PORT='abc': 'abc' is not a whole number; fix or unset VMTERM_PORT".
template <class T>
[[nodiscard]] expected<setting<T>> resolve(std::string_view flag_name, const std::optional<T>& flag,
                                           std::string_view env_name, T fallback,
                                           const env_lookup& env = process_env()) {
  if (flag) return setting<T>{*flag, origin::flag, std::string(flag_name)};
  if (!env_name.empty()) {
    if (auto text = env(env_name)) {
      auto parsed = parse_as<T>(*text);
      if (!parsed) {
        return fail(parsed.error().code, "environment variable " + std::string(env_name) + "='" +
                                             *text + "': " + parsed.error().message +
                                             "; fix or unset " + std::string(env_name));
      }
      return setting<T>{std::move(*parsed), origin::environment, std::string(env_name)};
    }
  }
  return setting<T>{std::move(fallback), origin::fallback, "default"};
}

}  // namespace vmterm::config
