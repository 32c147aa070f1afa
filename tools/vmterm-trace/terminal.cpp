#include "terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include "core/parse.hpp"

namespace vmterm::trace_cli {

bool use_colour(const std::string& mode, const config::env_lookup& env) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const auto no_colour = env("NO_COLOR");
  if (no_colour && !no_colour->empty()) return false;
  return ::isatty(STDOUT_FILENO) == 1;
}

std::size_t line_width(std::optional<std::size_t> flag, const config::env_lookup& env) {
  if (flag) return *flag;
  const auto known = known_width(flag, env);
  return known > 0 ? known : 100;
}

std::size_t known_width(std::optional<std::size_t> flag, const config::env_lookup& env) {
  if (flag) return *flag;
  if (const auto columns = env("COLUMNS")) {
    if (auto n = parse::integer(*columns, 0, 10000)) return static_cast<std::size_t>(*n);
  }
  winsize ws{};
  if (::isatty(STDOUT_FILENO) == 1 && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
      ws.ws_col > 0) {
    return ws.ws_col;
  }
  return 0;
}

}  // namespace vmterm::trace_cli
