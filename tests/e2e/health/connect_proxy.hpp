#pragma once
// A minimal HTTP CONNECT proxy on 127.0.0.1 for the --proxy tunnel test: each connection's
// "CONNECT 127.0.0.1:PORT" is answered 200 and relayed byte for byte to that loopback port
// (anything else is refused with 403). Runs on its own thread; the destructor stops it.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vmterm::test {

class connect_proxy {
 public:
  connect_proxy();
  ~connect_proxy();
  connect_proxy(const connect_proxy&) = delete;
  connect_proxy& operator=(const connect_proxy&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  /// The request lines it received ("CONNECT 127.0.0.1:443 HTTP/1.1").
  [[nodiscard]] std::vector<std::string> requests() const;

 private:
  void serve();
  void relay(int client);

  std::uint16_t port_ = 0;  ///< before fd_: listen_loopback() sets it while fd_ is initialised
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

}  // namespace vmterm::test
