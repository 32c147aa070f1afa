#include "setting_value.hpp"

#include "core/flags.hpp"

namespace vmterm::serve::detail {

std::optional<given> given_of(const options& opt, const std::string& flag,
                              const std::optional<std::string>& value) {
  if (!value) return std::nullopt;
  const auto it = opt.origins.find(flag);
  const bool from_env = it != opt.origins.end() && it->second != flag && it->second != "default";
  return given{*value, from_env ? it->second : flag, from_env};
}

bool on_command_line(const options& opt, const std::string& flag) {
  const auto it = opt.origins.find(flag);
  return it != opt.origins.end() && it->second == flag;
}

error bad(const given& g, std::string_view message) {
  return error{
      std::make_error_code(std::errc::invalid_argument),
      config::bad_value(g.where, g.text, g.from_env, std::string(message), false, g.secret)};
}

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace vmterm::serve::detail
