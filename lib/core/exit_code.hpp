#pragma once
/// The exit codes every vmterm tool uses, in one table; each man page documents them.

#include <array>
#include <string_view>

namespace vmterm {

/// Exit status of a vmterm tool (vmterm-health has its own Nagios table, below).
enum class exit_code : int {
  ok = 0,        ///< the command did what it was asked
  failure = 1,   ///< a runtime failure: a lookup failed, a service refused, nothing matched
  usage = 2,     ///< bad flags, bad environment or bad configuration; nothing was done
  internal = 3,  ///< a bug in vmterm: an unexpected exception reached main
};

/// vmterm-health's Nagios plugin convention.
enum class health_status : int { ok = 0, warning = 1, critical = 2, unknown = 3 };

struct exit_code_row {
  int code;
  std::string_view name;
  std::string_view meaning;
};

inline constexpr std::array<exit_code_row, 4> exit_code_table{{
    {0, "ok", "success"},
    {1, "failure", "a runtime failure: a service refused, a lookup failed or nothing matched"},
    {2, "usage", "bad flags, environment or configuration; nothing was done"},
    {3, "internal", "an internal error in vmterm (please report it)"},
}};

inline constexpr std::array<exit_code_row, 4> health_status_table{{
    {0, "OK", "every probe passed"},
    {1, "WARNING", "a probe passed beyond its warning threshold"},
    {2, "CRITICAL", "a probe failed or passed beyond its critical threshold"},
    {3, "UNKNOWN", "a probe could not run (bad flags or an internal error)"},
}};

[[nodiscard]] constexpr int to_int(exit_code c) noexcept { return static_cast<int>(c); }
[[nodiscard]] constexpr int to_int(health_status s) noexcept { return static_cast<int>(s); }

/// The worst of two health results (CRITICAL > WARNING > UNKNOWN > OK, as Nagios ranks them
/// when aggregating: a failed probe outranks one that could not run).
[[nodiscard]] constexpr health_status worst(health_status a, health_status b) noexcept {
  constexpr auto rank = [](health_status s) {
    switch (s) {
      case health_status::ok:
        return 0;
      case health_status::unknown:
        return 1;
      case health_status::warning:
        return 2;
      case health_status::critical:
        return 3;
    }
    return 3;
  };
  return rank(a) >= rank(b) ? a : b;
}

/// The name of a code for messages ("usage"); "unknown" for values outside the table.
[[nodiscard]] constexpr std::string_view name_of(exit_code c) noexcept {
  for (const auto& row : exit_code_table) {
    if (row.code == to_int(c)) return row.name;
  }
  return "unknown";
}

}  // namespace vmterm
