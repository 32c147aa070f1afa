#pragma once
/// Headless Chromium for a test: its own temporary profile, the DevTools endpoint on a free
/// loopback port of its choosing (--remote-debugging-port=0, read back from the profile's
/// DevToolsActivePort), stopped with its whole process group at the end.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "process.hpp"
#include "temp_dir.hpp"

namespace vmterm::test {

class chromium_process {
 public:
  /// Starts Debian's chromium with a window of width × height CSS pixels. Throws
  /// std::runtime_error (with the tail of Chromium's log) when it does not start.
  chromium_process(int width, int height);

  [[nodiscard]] std::uint16_t devtools_port() const noexcept { return port_; }
  /// "/devtools/browser/ID": the browser endpoint's path.
  [[nodiscard]] const std::string& browser_path() const noexcept { return path_; }
  [[nodiscard]] std::string log() const;
  /// Waits up to `timeout` for Chromium to end by itself (after CDP Browser.close), so that it
  /// reaps its own helper processes; true when it did. The destructor stops it either way.
  bool wait_exit(std::chrono::milliseconds timeout);

 private:
  temp_dir dir_{"vmterm-chromium"};
  std::unique_ptr<child_process> process_;
  std::uint16_t port_ = 0;
  std::string path_;
};

}  // namespace vmterm::test
