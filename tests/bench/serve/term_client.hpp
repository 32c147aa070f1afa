#pragma once
/// One terminal session against vmterm-serve, as the benchmark's client: Beast WebSocket, async
/// (C++20 coroutines), so one thread holds hundreds of sessions. It speaks the protocol of
/// lib/term/protocol.hpp and acknowledges output as the page does after xterm.js has written it
/// (tools/vmterm-serve/web/app.js): at once when 64 KiB arrived since the last ack, else 20 ms
/// after the first unacknowledged byte. Output is "written" the moment it arrives.
///
/// Threading: everything runs on one io_context thread; not thread-safe. Lifetime: the pending
/// reads and writes keep the session's state alive; close() or the server's close ends them.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace vmterm::bench {

using bench_clock = std::chrono::steady_clock;

struct server_address {
  std::uint16_t port = 0;
  std::string token{};  ///< sent as `Authorization: Bearer TOKEN` on the upgrade
};

struct client_counters {
  std::uint64_t output_bytes = 0;     ///< binary payload received
  std::uint64_t output_messages = 0;  ///< binary frames received
  std::uint64_t control_messages = 0;
  std::uint64_t acks_sent = 0;
};

class term_client {
 public:
  /// Called for each binary frame, with the time its read completed.
  using output_handler = std::function<void(std::string_view bytes, bench_clock::time_point at)>;

  explicit term_client(boost::asio::any_io_executor executor);
  ~term_client();
  term_client(const term_client&) = delete;
  term_client& operator=(const term_client&) = delete;

  /// Connects to 127.0.0.1, upgrades at /ws/terminal/ (bearer token, matching Origin) and sends
  /// the first resize, which starts the shell. Throws std::runtime_error naming the failure
  /// (the HTTP status and body of a refused upgrade).
  boost::asio::awaitable<void> open(const server_address& server, std::uint16_t cols = 80,
                                    std::uint16_t rows = 24);

  void on_output(output_handler handler);
  /// Keystrokes (a binary frame).
  void send_input(std::string bytes);
  /// A control message (a text frame), e.g. {"type":"resize",...}.
  void send_control(std::string json);
  /// Resumes when `ready()` holds (re-checked after every frame) or `timeout` passed: whether
  /// it holds. One waiter at a time per session.
  boost::asio::awaitable<bool> wait(std::function<bool()> ready, std::chrono::milliseconds timeout);
  /// Sends a close frame (1000); the read loop ends when the server answers.
  void close();

  [[nodiscard]] const client_counters& counters() const noexcept;
  /// The text frames received so far (hello, exit, error).
  [[nodiscard]] const std::vector<std::string>& controls() const noexcept;
  /// The server closed or the transport failed.
  [[nodiscard]] bool closed() const noexcept;
  /// Why it closed when that was not a clean close ("" otherwise).
  [[nodiscard]] const std::string& error() const noexcept;

  struct impl;

 private:
  std::shared_ptr<impl> impl_;
};

}  // namespace vmterm::bench
