#pragma once
// A fake environment for config::env_lookup.

#include <map>
#include <string>

#include "core/config.hpp"

namespace vmterm::test {

inline config::env_lookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace vmterm::test
