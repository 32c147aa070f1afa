#pragma once
/// The built vmterm-serve, started for a test on a free loopback port (port 0: it picks one and
/// prints it in its start line), with HTTP helpers. The process is stopped when the fixture
/// goes away.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/message.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

namespace vmterm::test::serve {

/// A shell for tests: no rc files, so sessions start fast and prompt predictably.
inline const std::string test_command = "bash --norc --noprofile";

class serve_process {
 public:
  /// Starts vmterm-serve with `args` (plus --listen 127.0.0.1:0 unless given) and waits for the
  /// start line; throws std::runtime_error with its stderr when it does not come.
  explicit serve_process(std::vector<std::string> args = {}, env_changes env = {});
  ~serve_process();
  serve_process(const serve_process&) = delete;
  serve_process& operator=(const serve_process&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  /// The URL printed at start ("http://127.0.0.1:PORT/?token=..." when generated).
  [[nodiscard]] const std::string& login_url() const noexcept { return url_; }
  /// The token from the start line ("" when it was not printed).
  [[nodiscard]] const std::string& token() const noexcept { return token_; }
  /// The start line itself, without the newline.
  [[nodiscard]] const std::string& start_line() const noexcept { return line_; }
  /// Everything written on stderr so far.
  [[nodiscard]] std::string stderr_text() const;
  [[nodiscard]] child_process& process() noexcept { return *proc_; }
  [[nodiscard]] const temp_dir& dir() const noexcept { return dir_; }

  /// One HTTP request to `target` ("/healthz"); throws when no response came.
  [[nodiscard]] http::response request(
      const std::string& method, const std::string& target,
      std::vector<std::pair<std::string, std::string>> headers = {}) const;
  [[nodiscard]] http::response get(
      const std::string& target,
      std::vector<std::pair<std::string, std::string>> headers = {}) const {
    return request("GET", target, std::move(headers));
  }
  /// {"Authorization", "Bearer <token>"}.
  [[nodiscard]] std::pair<std::string, std::string> bearer() const {
    return {"Authorization", "Bearer " + token_};
  }

 private:
  temp_dir dir_;
  std::unique_ptr<child_process> proc_;
  std::uint16_t port_ = 0;
  std::string url_, token_, line_;
};

/// The "name=value" of a Set-Cookie header (without its attributes).
[[nodiscard]] std::string cookie_pair(const http::response& res);

}  // namespace vmterm::test::serve
