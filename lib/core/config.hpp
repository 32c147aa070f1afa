#pragma once
/// What the configuration rule (core/flags.hpp: flag > environment > default) reads values
/// with: the environment, where empty variables count as unset (the OpenTelemetry rule), and
/// the parser of each value type.

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

/// Looks up an environment variable; returns nullopt when unset *or empty*.
using env_lookup = std::function<std::optional<std::string>(std::string_view name)>;

/// The real process environment (getenv).
[[nodiscard]] env_lookup process_env();

/// Parses one value of type T from text; the error's message names only the value
/// ("'abc' is not a whole number"); flag_set::resolve() adds which flag or variable held it.
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

}  // namespace vmterm::config
