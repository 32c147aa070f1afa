#include "ssh/exit_signal.hpp"

#include <libssh2.h>

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

int exit_code_of(LIBSSH2_SESSION* session, LIBSSH2_CHANNEL* channel) noexcept {
  if (channel == nullptr) return -1;
  char* name = nullptr;
  std::size_t name_len = 0;
  if (libssh2_channel_get_exit_signal(channel, &name, &name_len, nullptr, nullptr, nullptr,
                                      nullptr) == 0 &&
      name != nullptr) {
    const int sig = signal_number({name, name_len});
    libssh2_free(session, name);
    return 128 + (sig == 0 ? 1 : sig);  // an unnamed signal: report it as a hangup
  }
  return libssh2_channel_get_exit_status(channel);
}

}  // namespace vmterm::ssh
