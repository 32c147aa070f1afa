#pragma once
/// The WebSocket bridge: terminal sessions behind `/ws/terminal/`, each a terminal backend
/// (PTY, SSH) joined to at most one WebSocket at a time, with the protocol of protocol.hpp.
///
/// - Output is coalesced (up to `coalesce_bytes` or `coalesce_delay`) into binary frames and
///   counted by a flow_window: past the high mark the backend is paused (it stops reading the
///   PTY or the SSH channel), below the low mark it resumes. Memory per session is bounded by
///   the window, the replay buffer and one coalescing buffer, whatever the client does.
/// - A dropped WebSocket leaves the session and its backend alive for `resume_grace`; a client
///   that reconnects with `?session=ID&offset=N` gets exactly the bytes after N from the replay
///   buffer. After the grace, or when N is no longer held, the backend is closed.
/// - Pings every `ping_interval`; frames above `max_message` close with 1009; no input for
///   `idle_timeout` closes the session; beyond `max_sessions` a new client gets an error
///   message and close 1013; `readonly` drops client input (resize still applies).
/// - One span per WebSocket connection ("WS /ws/terminal/", SERVER kind, child of the upgrade
///   request's span, or of the page's trace when the URL carries `traceparent`) with events for
///   resize, pause, resume and exit, and a "pty.spawn" child for a local shell's fork and exec;
///   metrics by byte counts.
///   Terminal bytes never enter spans, logs or metrics.
///
/// Threading: the hub may be used from any thread; each session runs on its own strand.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "metrics/registry.hpp"
#include "term/terminal.hpp"

namespace vmterm::term {

struct hub_options {
  /// Makes the backend for a new session, on the session's strand executor. An error becomes
  /// the client's "error" message (in words) and a normal close.
  std::function<expected<std::shared_ptr<terminal>>(boost::asio::any_io_executor)> make_terminal;
  std::size_t max_sessions{16};
  std::chrono::milliseconds resume_grace{std::chrono::seconds(60)};
  std::chrono::milliseconds idle_timeout{0};  ///< no client input for this long; 0 = never
  std::chrono::milliseconds ping_interval{std::chrono::seconds(20)};
  std::size_t max_message{1 << 20};      ///< largest client frame; beyond → close 1009
  std::size_t replay_bytes{1 << 20};     ///< replay buffer per session
  std::uint64_t window_high{1 << 20};    ///< unacknowledged output that pauses the backend
  std::uint64_t window_low{256 << 10};   ///< ... and resumes it
  std::size_t coalesce_bytes{64 << 10};  ///< largest output frame
  std::chrono::microseconds coalesce_delay{std::chrono::milliseconds(2)};
  bool readonly{false};
  /// permessage-deflate (RFC 7692) when the client offers it: no context takeover either way
  /// (the answer asks the client for client_no_context_takeover), so a connection keeps no
  /// zlib state: each I/O thread has one compressor (8 KiB window) and one decompressor,
  /// shared by its connections; frames below 256 bytes (echoes, prompts) are sent as they are.
  bool compression{true};
  /// http_server_*-style metrics: vmterm_terminal_sessions (gauge), _sessions_total,
  /// _output_bytes_total, _input_bytes_total, _resumes_total. Not owned; null: none.
  metrics::registry* registry{nullptr};
};

class session_hub : public std::enable_shared_from_this<session_hub> {
 public:
  [[nodiscard]] static std::shared_ptr<session_hub> create(boost::asio::any_io_executor executor,
                                                           hub_options options);
  ~session_hub();

  /// Takes over an upgraded connection (plain or TLS): WebSocket handshake, then a new session,
  /// or the session named by `?session=ID&offset=N` in ctx.query. The caller has checked the
  /// request's credentials: a `traceparent` in ctx.query (the page's own trace) becomes the
  /// parent of the connection's span.
  void accept(http::upgraded_connection conn, const http::request& req,
              const http::request_context& ctx);

  /// Graceful stop: every WebSocket closes with 1001 ("server shutting down"), every backend is
  /// closed, new connections are refused. `done` runs once all sessions are gone.
  void shutdown(std::function<void()> done = {});

  /// Sessions alive (connected or waiting for resume).
  [[nodiscard]] std::size_t sessions() const noexcept;
  /// Whether a new session would be accepted now.
  [[nodiscard]] bool full() const noexcept;

  struct impl;

 private:
  explicit session_hub(std::unique_ptr<impl> p);
  /// A session is gone (ended, backend exited, connection closed): drop it from the map.
  void forget(const std::string& id);
  std::unique_ptr<impl> impl_;
};

}  // namespace vmterm::term
