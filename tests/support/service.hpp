#pragma once
/// Starting a real service for a test: pick a free loopback port, start the process, wait until
/// it answers, retry on another port if it lost a race for the port, and always stop it.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "process.hpp"

namespace vmterm::test {

struct started_service {
  std::uint16_t port = 0;
  std::unique_ptr<child_process> process;
};

struct service_spec {
  std::string name;                                          ///< for messages: "redis-server"
  std::function<spawn_options(std::uint16_t port)> command;  ///< how to start it on `port`
  std::function<bool(std::uint16_t port)> ready;             ///< does it answer yet?
  std::filesystem::path log;                                 ///< its stderr/stdout file
  std::chrono::milliseconds timeout = std::chrono::seconds(20);
  int attempts = 5;
};

/// Throws std::runtime_error naming the service, the port and the tail of its log when it does
/// not become ready.
[[nodiscard]] started_service start_service(const service_spec& spec);

/// `name` from PATH or the given directories; throws "<name> not found; run ./scripts/setup
/// (installs Debian's <package>)" when missing.
[[nodiscard]] std::filesystem::path require_program(
    const std::string& name, const std::string& package,
    const std::vector<std::filesystem::path>& extra_dirs = {});

}  // namespace vmterm::test
