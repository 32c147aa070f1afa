#pragma once
/// `GET /metrics` for a tool that is not a web server (vmterm-worker, vmterm-beat): one small
/// HTTP server that exposes a registry in Prometheus's text format, behind a bearer token.
/// The rules every tool shares: without a token it listens only on a loopback address, where
/// the Host header is checked (a DNS-rebinding page cannot read it); with a token any address
/// is allowed and the token is compared in constant time.

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "http/listen_address.hpp"
#include "http/router.hpp"
#include "metrics/registry.hpp"

namespace vmterm::http {

class server;

/// The routes: GET /metrics (401 with `WWW-Authenticate: Bearer` without the token when one is
/// set; `Cache-Control: no-store`). `registry` must outlive the router.
[[nodiscard]] router metrics_router(const metrics::registry& registry, std::string token);

struct metrics_endpoint_options {
  std::string listen;       ///< HOST:PORT (port 0: any free port)
  std::string token;        ///< "" = none (then `listen` must be a loopback address)
  std::string server_name;  ///< the Server header, e.g. "vmterm-beat"
  /// How errors name the listen address and what they advise for a token: a tool passes its
  /// own flags ("--metrics-listen", "give --token-file or VMTERM_TOKEN").
  std::string flag = "metrics listen address";
  std::string token_advice = "give the endpoint a bearer token";
};

/// A running /metrics server; stops when destroyed.
class metrics_endpoint {
 public:
  /// Binds at once. Errors name `flag` and the value: "metrics listen address '0.0.0.0:9100':
  /// metrics on a non-loopback address need a token; <token_advice>", or the listen error
  /// ("address already in use; …").
  [[nodiscard]] static expected<std::unique_ptr<metrics_endpoint>> start(
      boost::asio::io_context& ioc, metrics::registry& registry, metrics_endpoint_options o);
  ~metrics_endpoint();
  metrics_endpoint(const metrics_endpoint&) = delete;
  metrics_endpoint& operator=(const metrics_endpoint&) = delete;

  [[nodiscard]] const endpoint& bound() const noexcept { return bound_; }
  void stop() noexcept;

 private:
  metrics_endpoint() = default;
  std::unique_ptr<server> server_;
  endpoint bound_;
};

/// The bearer token on the first line of `file` (surrounding blanks trimmed). Errors name the
/// file as `flag` says (a tool passes its flag): "token file '/x': no such file or directory;
/// write the token into the file" and "token file '/x': its first line is empty; write the
/// token into the file".
[[nodiscard]] expected<std::string> read_token_file(const std::string& file,
                                                    const std::string& flag = "token file");

/// Whether a listen address names only this machine (127.0.0.0/8, ::1, localhost).
[[nodiscard]] bool is_loopback_listen(std::string_view listen) noexcept;

}  // namespace vmterm::http
