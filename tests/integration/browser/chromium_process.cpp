#include "chromium_process.hpp"

#include <sstream>
#include <stdexcept>

#include "ports.hpp"
#include "service.hpp"

namespace vmterm::test {

chromium_process::chromium_process(int width, int height) {
  const auto binary = require_program("chromium", "chromium");
  const auto profile = dir_ / "profile";
  process_ = std::make_unique<child_process>(spawn_options{
      .argv = {binary.string(), "--headless=new", "--no-sandbox", "--disable-gpu",
               "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
               "--disable-extensions", "--disable-background-networking", "--disable-sync",
               "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
               "--user-data-dir=" + profile.string(),
               "--window-size=" + std::to_string(width) + "," + std::to_string(height),
               "about:blank"},
      .env = {{"HOME", dir_.path().string()}},
      .stdout_file = dir_ / "chromium.log",
      .stderr_file = dir_ / "chromium.log",
  });
  // Chromium writes "PORT\n/devtools/browser/ID\n" once it listens.
  const auto active = profile / "DevToolsActivePort";
  const bool ready = wait_until(
      [&] {
        if (!process_->running()) return true;
        std::istringstream in(read_file(active));
        std::string port;
        if (!(in >> port >> path_)) return false;
        port_ = static_cast<std::uint16_t>(std::stoul(port));
        return true;
      },
      std::chrono::seconds(30), std::chrono::milliseconds(50));
  if (!ready || port_ == 0) {
    const auto text = log();
    throw std::runtime_error("test fixture: chromium did not open its DevTools port within 30 s" +
                             std::string(process_->running() ? "" : " (it exited)") +
                             "; its log:\n" +
                             text.substr(text.size() > 2000 ? text.size() - 2000 : 0));
  }
}

bool chromium_process::wait_exit(std::chrono::milliseconds timeout) {
  return wait_until([&] { return !process_->running(); }, timeout, std::chrono::milliseconds(20));
}

std::string chromium_process::log() const { return read_file(dir_ / "chromium.log"); }

}  // namespace vmterm::test
