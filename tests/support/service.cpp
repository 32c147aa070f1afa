#include "service.hpp"

#include <stdexcept>

#include "ports.hpp"
#include "temp_dir.hpp"

namespace vmterm::test {
namespace {

std::string tail(const std::string& text, std::size_t max = 2000) {
  return text.size() <= max ? text : "..." + text.substr(text.size() - max);
}

}  // namespace

started_service start_service(const service_spec& spec) {
  std::string last_failure;
  for (int attempt = 0; attempt < spec.attempts; ++attempt) {
    started_service s;
    s.port = free_loopback_port();
    s.process = std::make_unique<child_process>(spec.command(s.port));
    const bool ready =
        wait_until([&] { return !s.process->running() || spec.ready(s.port); }, spec.timeout);
    if (ready && s.process->running()) return s;
    const auto code = s.process->exit_code();
    s.process->stop();
    last_failure =
        spec.name + " on 127.0.0.1:" + std::to_string(s.port) +
        (code ? " exited with code " + std::to_string(*code)
              : " did not answer within " + std::to_string(spec.timeout.count()) + " ms") +
        "; its log:\n" + tail(read_file(spec.log));
    if (!code) break;  // it ran but never answered: another port will not help
  }
  throw std::runtime_error("test fixture: cannot start " + last_failure);
}

std::filesystem::path require_program(const std::string& name, const std::string& package,
                                      const std::vector<std::filesystem::path>& extra_dirs) {
  if (auto p = find_program(name, extra_dirs)) return *p;
  throw std::runtime_error("test fixture: " + name + " not found; run ./scripts/setup (installs " +
                           "Debian's " + package + ")");
}

}  // namespace vmterm::test
