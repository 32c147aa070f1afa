#include "signals.hpp"

#include <signal.h>

namespace vmterm::core {

void ignore_sigpipe() noexcept {
  struct sigaction now {};
  if (::sigaction(SIGPIPE, nullptr, &now) == 0 && now.sa_handler == SIG_DFL)
    ::signal(SIGPIPE, SIG_IGN);
}

}  // namespace vmterm::core
