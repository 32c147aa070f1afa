#pragma once
/// vmterm-beat's command line: each flag declared once through core/flags.hpp.

#include <optional>
#include <string>

#include "runner.hpp"

namespace vmterm::beat {

struct check_options {
  std::string file;                ///< the schedule file (positional)
  int count = 5;                   ///< --count: due times printed per entry
  bool json = false;               ///< --json
  std::string timezone;            ///< --timezone / VMTERM_TIMEZONE
  std::optional<std::string> now;  ///< --now: evaluate from this instant (RFC 3339)
};

struct status_options {
  bool json = false;
};

struct options {
  std::string command = "run";  ///< "run", "check" or "status"
  run_options run;              ///< the top-level flags (status uses them too)
  check_options check;
  status_options status;
};

/// Parses argv into `opt`. Returns an exit code when the program should end now (0 after
/// --help, 2 after a usage error, already printed as "vmterm-beat: ...; fix"), or nullopt.
[[nodiscard]] std::optional<int> parse_command_line(int argc, char** argv, options& opt);

}  // namespace vmterm::beat
