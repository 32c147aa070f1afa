#include "health/state.hpp"

#include <array>

namespace vmterm::health {

std::string_view state_name(state s) noexcept {
  switch (s) {
    case state::ok:
      return "OK";
    case state::warning:
      return "WARNING";
    case state::critical:
      return "CRITICAL";
    case state::unknown:
      break;
  }
  return "UNKNOWN";
}

bool parse_state(std::string_view text, state& out) noexcept {
  constexpr std::array<state, 4> all{state::ok, state::warning, state::critical, state::unknown};
  for (auto s : all) {
    const auto name = state_name(s);
    if (name.size() != text.size()) continue;
    bool same = true;
    for (std::size_t i = 0; i < name.size(); ++i) {
      char c = text[i];
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (c != name[i]) same = false;
    }
    if (same) {
      out = s;
      return true;
    }
  }
  return false;
}

}  // namespace vmterm::health
