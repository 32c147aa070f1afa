#pragma once
/// The part of TOML that schedule files use, parsed strictly: `# comments`, `[entry-name]`
/// headers, and `key = value` lines whose value is a string ("basic" with escapes, or
/// 'literal'), an integer, a float, true/false, an array [..] or an inline table {k = v}, all on
/// one line. Anything else (dotted keys, [[arrays of tables]], multi-line strings or arrays,
/// dates) is refused with the file and line, not silently misread. Pure.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace vmterm::schedule {

struct toml_field {
  std::string key;
  nlohmann::ordered_json value;
  int line = 0;
};

struct toml_table {
  std::string name;
  int line = 0;
  std::vector<toml_field> fields;
};

/// Errors read "<file>:<line>: <what>" (`file` as the caller names it).
[[nodiscard]] expected<std::vector<toml_table>> parse_toml(std::string_view text,
                                                           std::string_view file);

}  // namespace vmterm::schedule
