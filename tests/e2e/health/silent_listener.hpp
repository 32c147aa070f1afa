#pragma once
// A loopback port that accepts TCP connections (the kernel completes them) but never answers:
// the "silent peer" of the timeout tests.
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "otlp_spans.hpp"  // otlp_spans_in, for the tests that read traces
#include "process.hpp"

namespace vmterm::test {

class silent_listener {
 public:
  silent_listener();
  ~silent_listener();
  silent_listener(const silent_listener&) = delete;
  silent_listener& operator=(const silent_listener&) = delete;
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

/// vmterm-health with tracing off and none of the caller's VMTERM_HEALTH_TIMEOUT, TRACEPARENT,
/// broker/backend URLs or proxies.
[[nodiscard]] run_result health(std::vector<std::string> args, env_changes env = {});
/// The first line of a text.
[[nodiscard]] std::string first_line(const std::string& text);

}  // namespace vmterm::test
