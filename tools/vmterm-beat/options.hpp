#pragma once
/// vmterm-beat's command line: each flag declared once through core/flags.hpp.

#include <optional>
#include <string>

namespace vmterm::beat {

struct check_options {
  std::string file;                ///< the schedule file (positional)
  int count = 5;                   ///< --count: due times printed per entry
  bool json = false;               ///< --json
  std::string timezone;            ///< --timezone / VMTERM_TIMEZONE
  std::optional<std::string> now;  ///< --now: evaluate from this instant (RFC 3339)
};

struct options {
  std::string command;  ///< "check"
  check_options check;
};

/// Parses argv into `opt`. Returns an exit code when the program should end now (0 after
/// --help, 2 after a usage error, already printed as "vmterm-beat: ...; fix"), or nullopt.
[[nodiscard]] std::optional<int> parse_command_line(int argc, char** argv, options& opt);

}  // namespace vmterm::beat
