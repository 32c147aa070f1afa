#pragma once
/// A real redis-server for a test: own temp dir, free 127.0.0.1 port, no persistence, stopped
/// on destruction (also when the test fails).

#include <cstdint>
#include <string>

#include "service.hpp"
#include "temp_dir.hpp"

namespace vmterm::test {

class redis_server {
 public:
  redis_server();  ///< starts it and waits until it answers PING; throws with its log otherwise
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

 private:
  temp_dir dir_{"vmterm-redis"};
  started_service svc_;
};

}  // namespace vmterm::test
