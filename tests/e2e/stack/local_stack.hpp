#pragma once
/// The local stack exactly as a user starts it: scripts/run (--no-setup --no-build, this build's
/// tools) in the background with its own var dir and free loopback ports for Redis, vmterm-serve,
/// the worker's /metrics, Prometheus (1 s scrapes) and the node exporter. Stopped with SIGTERM
/// (as Ctrl-C's handler sees it) when the fixture goes away.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "process.hpp"
#include "temp_dir.hpp"

namespace vmterm::test::stack {

struct local_stack_options {
  std::vector<std::string> run_args{"--fast"};  ///< scripts/run's own flags
  std::vector<std::string> serve_args{};        ///< after "--", for vmterm-serve
  env_changes env{};                            ///< on top of the fixture's
};

class local_stack {
 public:
  /// Starts it and waits for "running;" (throws std::runtime_error with its output otherwise).
  explicit local_stack(local_stack_options options = {});
  ~local_stack();
  local_stack(const local_stack&) = delete;
  local_stack& operator=(const local_stack&) = delete;

  [[nodiscard]] const temp_dir& var() const noexcept { return var_; }
  [[nodiscard]] std::filesystem::path traces_file() const { return var_ / "traces.jsonl"; }
  [[nodiscard]] std::string output() const;  ///< what scripts/run printed so far
  [[nodiscard]] std::string redis_url() const;
  std::uint16_t redis_port = 0, serve_port = 0, metrics_port = 0, prometheus_port = 0,
                node_port = 0;
  std::string token;  ///< vmterm-serve's login token, from the printed login URL

  /// A built tool run with the stack's environment (its Redis, traces to its file).
  [[nodiscard]] run_result tool(const std::string& name, const std::vector<std::string>& args,
                                env_changes env = {}) const;
  /// The environment the tools run with (VMTERM_REDIS_URL, OTEL_*, VMTERM_TRACES_FILE).
  [[nodiscard]] env_changes tool_env() const;

  /// A Prometheus HTTP API answer's JSON ("status", "data"); throws when it did not answer.
  [[nodiscard]] nlohmann::json prometheus(const std::string& path_and_query) const;
  /// /api/v1/query?query=<expr> (instant, now).
  [[nodiscard]] nlohmann::json query(const std::string& expr) const;
  /// Stops the stack now (SIGTERM to scripts/run) and returns its exit code.
  int stop();

 private:
  temp_dir var_{"vmterm-stack"};
  std::unique_ptr<child_process> run_;
  env_changes env_;
  std::optional<int> exit_code_;
};

/// GET http://127.0.0.1:port + target over HTTP/1.0: status line's code and body ({0,""} when
/// nothing answered).
struct http_answer {
  unsigned status = 0;
  std::string body;
};
[[nodiscard]] http_answer http_get(std::uint16_t port, const std::string& target,
                                   const std::vector<std::string>& headers = {});
[[nodiscard]] std::string url_encode(const std::string& s);

}  // namespace vmterm::test::stack
