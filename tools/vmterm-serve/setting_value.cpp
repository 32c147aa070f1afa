#include "setting_value.hpp"

#include "core/parse.hpp"

namespace vmterm::serve::detail {

/// flag > environment (empty counts as unset) > nothing.
std::optional<given> pick(std::string_view flag, const std::optional<std::string>& value,
                          std::string_view env_name, const config::env_lookup& env) {
  if (value) return given{*value, std::string(flag), false};
  if (!env_name.empty()) {
    if (auto text = env(env_name)) return given{*text, std::string(env_name), true};
  }
  return std::nullopt;
}

/// "--max-sessions: '0' is out of range; ..." or, for a variable,
/// "environment variable VMTERM_LISTEN='x': ...; fix or unset VMTERM_LISTEN".
error bad(const given& g, std::string_view message) {
  if (g.from_env) {
    const auto shown = g.secret ? std::string() : "='" + g.text + "'";
    return error{std::make_error_code(std::errc::invalid_argument),
                 "environment variable " + g.where + shown + ": " + std::string(message) +
                     "; fix or unset " + g.where};
  }
  return error{std::make_error_code(std::errc::invalid_argument),
               g.where + ": " + std::string(message)};
}

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

expected<std::chrono::milliseconds> duration_of(const std::optional<std::string>& value,
                                                std::string_view flag,
                                                std::chrono::milliseconds fallback) {
  if (!value) return fallback;
  // A bare number is seconds ("--idle-timeout 0").
  auto d = parse::duration(parse::trim(*value), std::chrono::seconds(1));
  if (!d) return tl::unexpected(bad(given{*value, std::string(flag), false}, d.error().message));
  return std::chrono::duration_cast<std::chrono::milliseconds>(*d);
}

}  // namespace vmterm::serve::detail
