#pragma once
/// Internal to lib/http: the state the server shares with its listener and sessions. Includes
/// Asio; never include it from a public header.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "http/host_check.hpp"
#include "http/server.hpp"
#include "metrics/counter.hpp"
#include "metrics/family.hpp"
#include "metrics/histogram.hpp"

namespace vmterm::http {

class session_base;
class listener;

/// Threading: the immutable parts (options, routes, tracer, families) are read from any strand;
/// `sessions` is guarded by `mu`; counters are atomics.
struct server::state {
  state(boost::asio::io_context& io, server_options opt, http::router r, endpoint where)
      : ioc(io), options(std::move(opt)), routes(std::move(r)), configured(std::move(where)) {}

  boost::asio::io_context& ioc;
  /// The io_context a new connection lives on (options.workers round robin, else ioc).
  boost::asio::io_context& next_worker() noexcept {
    if (options.workers.empty()) return ioc;
    const auto i = next.fetch_add(1, std::memory_order_relaxed) % options.workers.size();
    return *options.workers[i];
  }
  /// Where a new connection's handlers run, one at a time: its worker's own executor (a worker
  /// is run by exactly one thread, so nothing of the connection runs concurrently and a strand
  /// would only add a lock and a queue to every handler), else a strand of ioc (which may be
  /// run by several threads).
  boost::asio::any_io_executor connection_executor() {
    if (!options.workers.empty()) return next_worker().get_executor();
    return boost::asio::make_strand(ioc);
  }
  const server_options options;
  const http::router routes;
  const endpoint configured;
  /// Set when options.allowed_hosts is: the Host names requests must carry.
  std::optional<host_allow_list> hosts;
  trace::tracer tracer;
  /// The TLS context when the server speaks HTTPS (tls_cert/tls_key); null for plain HTTP.
  std::shared_ptr<boost::asio::ssl::context> tls;
  metrics::family<metrics::counter>* requests = nullptr;
  metrics::family<metrics::histogram>* durations = nullptr;
  /// http_server_slow_requests_total; set when options.tracing.slow is.
  metrics::family<metrics::counter>* slow_requests = nullptr;
  std::atomic<std::uint16_t> port{0};  ///< the bound port, for server.port
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> next{0};  ///< for next_worker()

  std::mutex mu;
  std::vector<std::weak_ptr<session_base>> sessions;  ///< for stop(); pruned on accept
  std::shared_ptr<http::listener> listener;
};

}  // namespace vmterm::http
