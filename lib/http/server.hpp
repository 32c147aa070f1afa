#pragma once
/// The HTTP/1.1 server every vmterm tool that serves HTTP uses: a listener that accepts on one
/// address and one http_session per connection (strand per connection, keep-alive, limits,
/// timeouts), with request-id, tracing, metrics and security-header middleware around the
/// router. Built on Beast inside the .cpp files; no Beast or Asio type appears here.
///
/// Ownership and threading: the caller owns the io_context and the server; the server must
/// outlive the io_context's run() calls (sessions keep the shared state alive, not the server
/// object). run() may be called from several threads. listen() and stop() may be called from
/// any thread; stop() is graceful and idempotent: no new connections, in-flight requests
/// finish, idle keep-alive connections close, so run() returns once the work is done.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "http/host_check.hpp"
#include "http/listen_address.hpp"
#include "http/request_tracing.hpp"
#include "http/router.hpp"
#include "metrics/registry.hpp"
#include "trace/tracer.hpp"

namespace boost::asio {
class io_context;
}

namespace vmterm::http {

/// The input of server_options a configuration error is about, so that the tool names its own
/// flag or setting for it (the library knows no tool's flags).
enum class server_input { listen, tls_certificate, tls_key };

/// What server's constructor throws for a bad input. The message names the setting and the
/// value ("TLS key '/k.pem': not a PEM private key"); input() says which one it is.
class server_config_error : public std::invalid_argument {
 public:
  server_config_error(server_input input, const std::string& message)
      : std::invalid_argument(message), input_(input) {}
  [[nodiscard]] server_input input() const noexcept { return input_; }

 private:
  server_input input_;
};

struct server_options {
  std::string listen{"127.0.0.1:8000"};  ///< see parse_listen_address; port 0 = any free port
  std::size_t header_limit{16 * 1024};   ///< request line + headers; beyond → 431 and close
  std::size_t body_limit{1024 * 1024};   ///< request body; beyond → 413 and close
  /// Time to receive one whole request once its first byte arrived; beyond → close.
  std::chrono::milliseconds read_timeout{std::chrono::seconds(30)};
  /// Time a keep-alive connection may wait for its next request; beyond → close.
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  /// Timeout for writing one response.
  std::chrono::milliseconds write_timeout{std::chrono::seconds(30)};
  /// Connections beyond this are closed at once (logged).
  std::size_t max_connections{1024};
  /// Where http_server_* metrics go; not owned, must outlive the server. Null: none.
  metrics::registry* registry{nullptr};
  /// Tracer for SERVER spans; nullopt: trace::get_tracer("vmterm.http") at construction.
  std::optional<trace::tracer> tracer{};
  /// Which paths make no span, and when a request is slow.
  request_tracing tracing{};
  /// The Server header value; "" sends none.
  std::string server_name{"vmterm"};
  /// HTTPS: PEM files of the certificate (chain) and its private key; both or neither. Loaded and
  /// checked by the constructor. Empty: plain HTTP.
  std::string tls_cert{};
  std::string tls_key{};
  /// The DNS-rebinding defence (http/host_check.hpp): when set, a request whose Host header is
  /// not one of the server's names gets 403 naming it and how to allow it. The names are the
  /// listen address's (see host_allow_list) plus these; "*" accepts any. nullopt: no check.
  std::optional<std::vector<std::string>> allowed_hosts{};
  /// The 403's fix, followed by the refused name: what allows a name on this server. A tool
  /// names its flag ("start it with --allow-host" → "...; to reach the server by that name,
  /// start it with --allow-host example.com").
  std::string allow_host_advice{std::string(default_allow_host_advice)};
  /// Time for a client to complete the TLS handshake once connected; beyond → close.
  std::chrono::milliseconds tls_handshake_timeout{std::chrono::seconds(10)};
  /// io_contexts to spread connections over, round robin, each run by EXACTLY one thread:
  /// everything of a connection (its socket, and the WebSocket and terminal taken over from it)
  /// stays on its thread, so a chunk of output never wakes another vCPU, and its handlers run
  /// on the io_context's own executor, without a strand. Empty: a strand of the server's own.
  std::vector<boost::asio::io_context*> workers{};
};

class server {
 public:
  /// Parses the listen address and loads the TLS files at once: throws server_config_error
  /// with a message naming the setting and the value (a configuration error, for main to map to
  /// exit code 2, prefixed with the tool's flag for input()): parse_listen_address's, or for
  /// TLS "TLS certificate '/x.pem': no such file", "TLS certificate '/x.pem': not a PEM
  /// certificate", "TLS key '/k.pem': not a PEM private key", "TLS key '/k.pem': key does not
  /// match certificate '/x.pem'", "TLS certificate '/x.pem' needs a TLS key too".
  server(boost::asio::io_context& ioc, server_options options, http::router routes);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and starts accepting; call once. Returns the bound endpoint (the chosen port when 0 was
  /// asked). Error text: "listen on '127.0.0.1:8000': address already in use; stop what holds
  /// the port or choose another with --listen".
  [[nodiscard]] expected<endpoint> listen();

  /// Graceful stop (see above). Thread-safe, idempotent.
  void stop() noexcept;

  /// Whether the server speaks HTTPS (tls_cert and tls_key were given).
  [[nodiscard]] bool tls() const noexcept;

  /// Open connections right now (for tests and --max-connections).
  [[nodiscard]] std::size_t connections() const noexcept;

  struct state;  ///< shared with the listener and sessions (internal)

 private:
  std::shared_ptr<state> state_;
};

}  // namespace vmterm::http
