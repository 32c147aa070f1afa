#pragma once
/// Internal to lib/ssh (ssh_terminal and the readiness probe build on it). One SSH connection: a
/// TCP socket on an Asio executor and a libssh2 session in non-blocking mode on that socket. Every
/// libssh2 call that returns LIBSSH2_ERROR_EAGAIN is retried when the socket is ready in the
/// direction libssh2_session_block_directions() reports: no thread, no blocking call. Connect =
/// resolve + TCP + handshake + host key check; then authenticate.
///
/// Lifetime and threading: shared; every pending operation holds it. Use from its executor
/// only. The libssh2 session is freed in the destructor after the socket is shut down, so no
/// libssh2 call can block there. The libssh2 handle stays inside: what runs on the connection
/// goes through typed operations here and in ssh::channel (detail/channel.hpp).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "ssh/errors.hpp"
#include "ssh/host_key_policy.hpp"
#include "ssh/ssh_metrics.hpp"
#include "ssh/ssh_options.hpp"
#include "trace/context.hpp"
#include "trace/span.hpp"

struct _LIBSSH2_SESSION;

namespace vmterm::ssh {

class channel;

/// libssh2's "would block, call again once the socket is ready" (LIBSSH2_ERROR_EAGAIN), as the
/// operations here and in ssh::channel return it.
inline constexpr int would_block = -37;
/// The bits of session::blocked_directions() (LIBSSH2_SESSION_BLOCK_INBOUND, _OUTBOUND).
inline constexpr int blocked_inbound = 1;
inline constexpr int blocked_outbound = 2;

class session : public std::enable_shared_from_this<session> {
 public:
  using done_fn = std::function<void(expected<void>)>;

  [[nodiscard]] static std::shared_ptr<session> create(boost::asio::any_io_executor executor,
                                                       ssh_options options);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  /// Resolve, TCP connect (span ssh.connect), handshake and host key check (ssh.handshake),
  /// children of `parent`. Starts the options.timeout deadline, which runs on through
  /// authentication and channel setup until cancel_deadline().
  void async_connect(trace::context parent, new_key_policy policy, done_fn done);
  /// Public key from options.identity (with the passphrase file), else ssh-agent (span ssh.auth
  /// with attribute ssh.auth.method; never a secret).
  void async_authenticate(trace::context parent, done_fn done);

  /// Runs `op` until it returns anything but would_block, then `done(rc)`.
  void async_run(std::function<int()> op, std::function<void(int)> done);
  /// The directions libssh2's last call was blocked on (blocked_inbound | blocked_outbound).
  [[nodiscard]] int blocked_directions() const noexcept;
  /// Calls `then` once the socket is readable (`inbound`) or writable: for a loop that runs
  /// its own non-blocking calls and waits on both directions separately.
  void async_wait(bool inbound, std::function<void(boost::system::error_code)> then);
  /// Keepalive messages every `interval` once send_keepalive() is called.
  void configure_keepalive(std::chrono::seconds interval) noexcept;
  /// Sends a keepalive when one is due: 0 with the time until the next one in `next`,
  /// would_block, or another (negative) libssh2 error.
  [[nodiscard]] int send_keepalive(std::chrono::seconds& next) noexcept;

  void cancel_deadline() noexcept;
  /// Stops the connect steps now; they fail with errc::cancelled.
  void abort() noexcept;
  /// The current step, for messages and the deadline ("opening the channel").
  void set_phase(std::string_view phase) { phase_ = phase; }
  /// An error for a failed step: the deadline's timeout when it fired, else `code` with
  /// "ssh 'user@host': <what>: <libssh2's words>".
  [[nodiscard]] error failure(errc code, std::string_view what) const;
  /// Shuts the socket down (both ways): pending waits complete, libssh2 calls fail at once.
  void shutdown() noexcept;
  /// Sends SSH_MSG_DISCONNECT if it can go out without waiting, then shutdown().
  void disconnect() noexcept;

  [[nodiscard]] ssh_metrics& metrics() noexcept { return metrics_; }
  /// "ssh 'user@host:port': " for messages.
  [[nodiscard]] const std::string& who() const noexcept { return who_; }
  /// Starts a CLIENT span with server.address/port and, once connected, network.peer.address.
  [[nodiscard]] trace::span start_span(std::string_view name, const trace::context& parent) const;
  /// Marks `s` failed with `e` (status error, error.type) and ends it.
  static void end_span(trace::span& s, const expected<void>& result) noexcept;
  /// Bytes received from the server so far (counted under libssh2's recv), so a silent
  /// server can be told from a quiet one.
  [[nodiscard]] std::uint64_t bytes_received() const noexcept { return bytes_in_; }

 private:
  friend class channel;  // opens its libssh2 channel on handle_

  /// libssh2's last error message ("" when none).
  [[nodiscard]] std::string last_error() const;
  /// Calls `then` once the socket is ready in a direction libssh2 is blocked on.
  void async_wait_socket(std::function<void(boost::system::error_code)> then);
  session(boost::asio::any_io_executor executor, ssh_options options);
  void on_resolved(boost::system::error_code ec, boost::asio::ip::tcp::resolver::results_type r);
  void on_connected(boost::system::error_code ec);
  void on_handshake(int rc);
  void finish_connect(expected<void> result);
  void interrupt() noexcept;
  static long counting_recv(int socket, void* buffer, std::size_t length, int flags,
                            void** abstract) noexcept;
  void auth_with_key(done_fn done);
  void auth_with_agent(done_fn done);
  struct agent_state;
  void try_next_agent_key(std::shared_ptr<agent_state> st);

  ssh_options options_;
  trace::tracer tracer_;
  ssh_metrics metrics_;
  std::string who_;
  boost::asio::ip::tcp::resolver resolver_;
  boost::asio::ip::tcp::socket socket_;  // declared before handle_: freed after it
  boost::asio::steady_timer deadline_;
  _LIBSSH2_SESSION* handle_ = nullptr;
  std::uint64_t bytes_in_ = 0;
  bool timed_out_ = false;
  bool aborted_ = false;
  std::string phase_ = "connecting";
  std::string peer_address_;
  new_key_policy policy_ = new_key_policy::refuse;
  trace::context parent_;
  trace::span span_;  // the step in progress (connect or handshake)
  done_fn connect_done_;
};

}  // namespace vmterm::ssh
