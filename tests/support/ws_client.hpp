#pragma once
/// A small synchronous WebSocket client on Beast for tests: connects to 127.0.0.1:port, upgrades
/// at a target with extra headers (Origin, Cookie, Authorization), and reads frames with a
/// timeout. A refused upgrade keeps the HTTP status and body. Every call runs the client's own
/// io_context until the operation completes or the timeout passes; a read that timed out stays
/// pending and the next read() continues it, so no frame is ever lost to a timeout.
///
/// Nothing is read unless read() (or a helper built on it) is called: a test that stops calling
/// read() is a client that stops reading, and TCP backpressure reaches the server.
///
/// Threading: one thread at a time; not thread-safe.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vmterm::test {

struct ws_frame {
  enum class kind {
    binary,   ///< data holds the payload
    text,     ///< data holds the payload
    closed,   ///< the server closed: see close_code() / close_reason()
    timeout,  ///< nothing within the timeout (the read stays pending)
    error,    ///< transport error: data holds its message
  };
  kind type = kind::timeout;
  std::string data{};
  [[nodiscard]] bool is_binary() const noexcept { return type == kind::binary; }
  [[nodiscard]] bool is_text() const noexcept { return type == kind::text; }
};

struct ws_connect_options {
  std::vector<std::pair<std::string, std::string>> headers{};  ///< added to the upgrade request
  std::chrono::milliseconds timeout{std::chrono::seconds(5)};
  std::string host{"127.0.0.1"};  ///< where to connect; also the Host header (with the port)
  std::uint64_t read_message_max{64u << 20};
};

class ws_client {
 public:
  ws_client();
  ~ws_client();
  ws_client(const ws_client&) = delete;
  ws_client& operator=(const ws_client&) = delete;

  /// Connects and upgrades at `target` ("/ws/terminal/?session=..."). True on 101; false
  /// otherwise, with status() and body() of the refusal (status 0 and error() when the
  /// connection itself failed).
  bool connect(std::uint16_t port, std::string_view target, ws_connect_options options = {});

  /// HTTP status of the upgrade response (101 when accepted); 0 before or on transport failure.
  [[nodiscard]] unsigned status() const noexcept;
  /// Body of a refused upgrade.
  [[nodiscard]] const std::string& body() const noexcept;
  /// A header of the upgrade response (first value; "" when absent).
  [[nodiscard]] std::string response_header(std::string_view name) const;
  /// The last transport error in words ("" when none).
  [[nodiscard]] const std::string& error() const noexcept;

  /// The next frame, or kind::timeout / closed / error.
  ws_frame read(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  /// Send one frame; false (and error()) on failure or timeout.
  bool send_binary(std::string_view payload,
                   std::chrono::milliseconds timeout = std::chrono::seconds(5));
  bool send_text(std::string_view payload,
                 std::chrono::milliseconds timeout = std::chrono::seconds(5));

  /// Sends a close frame and waits (reading and dropping frames) for the server's close.
  bool close(std::uint16_t code = 1000,
             std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// Drops the TCP connection without a close handshake (a vanished browser).
  void drop() noexcept;

  /// Reads frames until the server closes; binary and text frames are dropped. False on timeout
  /// or transport error.
  bool wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  [[nodiscard]] bool closed() const noexcept;
  /// The close code the server sent (0 when not closed or none given).
  [[nodiscard]] std::uint16_t close_code() const noexcept;
  [[nodiscard]] const std::string& close_reason() const noexcept;
  /// Pings seen from the server while reading (each answered with a pong by Beast).
  [[nodiscard]] std::size_t pings() const noexcept;

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace vmterm::test
