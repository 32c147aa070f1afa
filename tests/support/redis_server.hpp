#pragma once
/// A real redis-server for a test: own temp dir, free 127.0.0.1 port, no persistence, stopped
/// on destruction (also when the test fails).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "service.hpp"
#include "temp_dir.hpp"

namespace vmterm::test {

struct redis_server_options {
  /// Extra redis-server arguments, e.g. {"--requirepass", "pw"} or
  /// {"--user", "worker on >pw ~* &* +@all"}.
  std::vector<std::string> args{};
  /// Also listen on a unix socket (unix_socket() names it).
  bool unix_socket = false;
};

class redis_server {
 public:
  redis_server();  ///< starts it and waits until it answers PING; throws with its log otherwise
  explicit redis_server(redis_server_options options);
  ~redis_server();
  redis_server(const redis_server&) = delete;
  redis_server& operator=(const redis_server&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return svc_.port; }
  [[nodiscard]] std::string host() const { return "127.0.0.1"; }
  [[nodiscard]] std::string url(int db = 0) const;  ///< redis://127.0.0.1:PORT/DB
  [[nodiscard]] std::string log() const;
  [[nodiscard]] bool running() { return svc_.process->running(); }
  /// Stops the server now (for tests of what clients do when Redis goes away).
  void stop() { svc_.process->stop(); }
  /// Starts it again on the same port (after stop(), or stops it first) and waits until it
  /// answers; throws with its log otherwise. Data is not kept (no persistence).
  void restart();
  /// The unix socket path (with options.unix_socket).
  [[nodiscard]] std::filesystem::path unix_socket() const { return dir_ / "redis.sock"; }

 private:
  void start();

  temp_dir dir_{"vmterm-redis"};
  redis_server_options options_;
  service_spec spec_;
  started_service svc_;
};

}  // namespace vmterm::test
