#include "ssh/exit_signal.hpp"

#include <array>
#include <utility>

namespace vmterm::ssh {

int signal_number(std::string_view name) noexcept {
  static constexpr std::array<std::pair<std::string_view, int>, 13> names{{
      {"HUP", 1},
      {"INT", 2},
      {"QUIT", 3},
      {"ILL", 4},
      {"ABRT", 6},
      {"FPE", 8},
      {"KILL", 9},
      {"USR1", 10},
      {"SEGV", 11},
      {"USR2", 12},
      {"PIPE", 13},
      {"ALRM", 14},
      {"TERM", 15},
  }};
  for (const auto& [n, v] : names) {
    if (n == name) return v;
  }
  return 0;
}

}  // namespace vmterm::ssh
