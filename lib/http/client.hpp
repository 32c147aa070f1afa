#pragma once
/// A synchronous HTTP/1.1 client for exporters, probes and CLI tools: one call sends one request
/// and returns its response or an error, within a deadline. Built on Beast and Asio (inside
/// client.cpp only); TLS through OpenSSL for https:// URLs.
///
/// Threading: a client is used by one thread at a time (an exporter's background thread, a
/// CLI's main thread); it owns its own io_context and runs it only inside send(). Give each
/// thread its own client.
///
/// Keep-alive: the client keeps one connection open and reuses it for the next request to the
/// same scheme, host and port; a request to another origin closes it first. A reused connection
/// that the server closed while idle is reopened once, transparently.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "http/message.hpp"

namespace vmterm::http {

/// Sees every request the client sends: the hook for tracing (client spans, traceparent
/// injection) and metrics. Called on the thread that calls send(); must not throw.
class client_observer {
 public:
  virtual ~client_observer() = default;
  /// Before sending: may add headers (traceparent) to `req`.
  virtual void on_request(request& req) noexcept = 0;
  /// After the response arrived or the request failed.
  virtual void on_response(const request& req, const expected<response>& result,
                           std::chrono::nanoseconds elapsed) noexcept = 0;
};

struct client_options {
  /// Deadline for one send(): resolve + connect + TLS + write + read. Zero means no limit.
  std::chrono::milliseconds timeout{10000};
  std::string user_agent = "vmterm/0.1";
  /// Responses with a larger body fail with std::errc::message_size (OTLP: 4 MiB).
  std::size_t body_limit = std::size_t{4} << 20;
  /// Verify the server's certificate and host name against the system's CA store.
  bool verify_tls = true;
  /// With verify_tls: a PEM file of CA certificates to trust instead of the system's store
  /// (a private CA, or a self-signed server's own certificate). Empty: the system's store.
  std::string ca_file{};
  /// A client certificate (PEM chain) and its unencrypted private key, sent when the server
  /// asks (mutual TLS). Both or neither; the key may be in the certificate file (key_file "").
  std::string cert_file{};
  std::string key_file{};
  /// An http:// proxy ("http://proxy:3128"): http:// requests go to it in absolute form,
  /// https:// ones through a CONNECT tunnel. Empty: direct. The environment is never read here.
  /// "http://user:password@proxy:3128" (percent-encoded) sends Proxy-Authorization: Basic on
  /// both; the credentials are in no error message.
  std::string proxy{};
  /// Which addresses of a host name to connect to (curl's -4/-6).
  enum class ip_family { any, v4, v6 } family = ip_family::any;
  /// Not owned by anyone in particular; shared so the hook outlives the client.
  std::shared_ptr<client_observer> observer;
};

/// The leaf certificate the server presented on the last TLS connection.
struct peer_certificate {
  std::string subject;  ///< the subject's CN, else the whole subject line
  std::chrono::system_clock::time_point not_after;
};

class client {
 public:
  explicit client(client_options options = {});
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;
  client(client&&) noexcept;
  client& operator=(client&&) noexcept;

  /// Sends `req` and waits for the whole response. Never throws. `timeout` (if non-zero)
  /// replaces the client's timeout for this call. Errors read
  /// "POST 'http://127.0.0.1:4318/v1/traces': <reason>" and carry a std::errc-comparable code:
  /// invalid_argument (bad URL), timed_out, connection_refused, message_size (body too
  /// large), or the underlying network error.
  [[nodiscard]] expected<response> send(request req,
                                        std::chrono::milliseconds timeout = {}) noexcept;

  /// Closes the kept-alive connection, if any.
  void close() noexcept;

  /// The certificate of the last https:// connection's server (kept after the connection
  /// closes); nullopt before one, or when it sent none.
  [[nodiscard]] std::optional<peer_certificate> last_peer_certificate() const;
  /// The address the last connection went to ("127.0.0.1:8080", "[::1]:443"); "" before one.
  [[nodiscard]] std::string last_remote_address() const;

  [[nodiscard]] const client_options& options() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace vmterm::http
