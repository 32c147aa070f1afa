#pragma once
/// A scripted HTTP/1.1 server on 127.0.0.1 for tests of HTTP clients and exporters: it answers
/// each request with the next scripted response (or the fallback, 200 "{}" by default), records
/// every request, and counts connections. Keep-alive is honoured unless a response says close.
///
/// Threading: the server runs on its own thread; every public function may be called from the
/// test's thread at any time. The destructor stops the server and joins its thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vmterm::test {

struct scripted_response {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers{};
  std::string body{};
  std::chrono::milliseconds delay{0};  ///< wait this long before answering
  bool close = false;                  ///< close the connection after this response
};

struct recorded_request {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::size_t connection = 0;  ///< 1-based number of the connection it came on
  std::chrono::steady_clock::time_point received;
  /// The first value of a header (case-insensitive name); nullopt when absent.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

class http_test_server {
 public:
  /// Binds a free loopback port (retrying with another on a clash) and starts serving.
  http_test_server();
  ~http_test_server();
  http_test_server(const http_test_server&) = delete;
  http_test_server& operator=(const http_test_server&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept;
  /// "http://127.0.0.1:<port>" + path.
  [[nodiscard]] std::string url(std::string_view path = "") const;

  /// Queues a response for the next request that has none yet.
  void push(scripted_response response);
  /// The answer once the queue is empty.
  void set_fallback(scripted_response response);

  [[nodiscard]] std::vector<recorded_request> requests() const;
  [[nodiscard]] std::size_t connections() const;
  /// Waits until at least `n` requests arrived; false on timeout.
  bool wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const;

  struct state;  ///< shared with the sessions; defined in the .cpp

 private:
  std::shared_ptr<state> state_;
};

}  // namespace vmterm::test
