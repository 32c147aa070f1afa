#include "http/server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <stdexcept>

#include "asio/cloexec.hpp"
#include "http/detail/http_session.hpp"
#include "http/detail/listener.hpp"
#include "http/detail/server_state.hpp"
#include "http/detail/tls_context.hpp"
#include "metrics/buckets.hpp"
#include "trace/provider.hpp"

namespace vmterm::http {

namespace net = boost::asio;

namespace {

endpoint parse_or_throw(std::string_view text) {
  auto parsed = parse_listen_address(text);
  if (!parsed) throw server_config_error(server_input::listen, parsed.error().message);
  return *parsed;
}

/// "address already in use; stop what holds the port or choose another address". Names the
/// address, not a tool's flag: the tool says which of its inputs the address came from.
std::string bind_reason(const boost::system::error_code& ec) {
  if (ec == net::error::address_in_use) {
    return "address already in use; stop what holds the port or choose another address";
  }
  if (ec == net::error::access_denied) {
    return "permission denied; use a port above 1023 or choose another address";
  }
  if (ec == boost::system::errc::address_not_available) {
    return "address not available on this host; choose another address";
  }
  std::string reason = ec.message();
  if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(reason[0]));
  return reason;
}

void register_metrics(server::state& st) {
  if (st.options.registry == nullptr) return;
  auto& reg = *st.options.registry;
  st.requests = &reg.add_counter("http_server_requests_total", "HTTP requests served.",
                                 {"method", "route", "status"});
  st.durations = &reg.add_histogram("http_server_request_duration_seconds",
                                    "Time to handle an HTTP request, in seconds.",
                                    {"method", "route"}, metrics::buckets::http_duration_seconds());
  if (st.options.tracing.slow.count() > 0) {
    st.slow_requests = &reg.add_counter(
        "http_server_slow_requests_total",
        "HTTP requests that took longer than the slow-request threshold.", {"method", "route"});
  }
}

}  // namespace

server::server(net::io_context& ioc, server_options options, http::router routes) {
  endpoint where = parse_or_throw(options.listen);
  std::shared_ptr<net::ssl::context> tls;
  if (!options.tls_cert.empty() || !options.tls_key.empty()) {
    auto loaded = load_tls_context(options.tls_cert, options.tls_key);
    if (!loaded) throw server_config_error(loaded.error().input, loaded.error().message);
    tls = std::move(*loaded);
  }
  state_ = std::make_shared<state>(ioc, std::move(options), std::move(routes), std::move(where));
  state_->tls = std::move(tls);
  if (state_->options.allowed_hosts) {
    state_->hosts.emplace(state_->configured, *state_->options.allowed_hosts);
  }
  state_->tracer =
      state_->options.tracer ? *state_->options.tracer : trace::get_tracer("vmterm.http");
  register_metrics(*state_);
}

server::~server() { stop(); }

expected<endpoint> server::listen() {
  const endpoint& where = state_->configured;
  const auto fail_with = [&](const boost::system::error_code& ec) {
    return fail(std::error_code(ec.value(), std::system_category()),
                "listen on '" + where.str() + "': " + bind_reason(ec));
  };
  boost::system::error_code ec;
  {
    std::lock_guard lock(state_->mu);
    if (state_->listener || state_->stopping) {
      return fail(std::errc::operation_not_permitted,
                  "listen on '" + where.str() + "': the server is already listening or stopped");
    }
  }
  const auto address = net::ip::make_address(where.address, ec);
  if (ec) return fail_with(ec);
  const net::ip::tcp::endpoint ep(address, where.port);
  net::ip::tcp::acceptor acceptor(net::make_strand(state_->ioc));
  if (ec = asio::open_cloexec(acceptor, ep.protocol()); ec) return fail_with(ec);
  if (acceptor.set_option(net::socket_base::reuse_address(true), ec); ec) return fail_with(ec);
  if (acceptor.bind(ep, ec); ec) return fail_with(ec);
  if (acceptor.listen(net::socket_base::max_listen_connections, ec); ec) return fail_with(ec);
  const auto bound = acceptor.local_endpoint(ec);
  if (ec) return fail_with(ec);
  state_->port = bound.port();
  auto l = std::make_shared<http::listener>(state_, std::move(acceptor));
  {
    std::lock_guard lock(state_->mu);
    state_->listener = l;
  }
  l->run();
  return endpoint{bound.address().to_string(), bound.port()};
}

void server::stop() noexcept {
  if (!state_ || state_->stopping.exchange(true)) return;
  std::shared_ptr<http::listener> l;
  std::vector<std::weak_ptr<session_base>> sessions;
  {
    std::lock_guard lock(state_->mu);
    l = std::move(state_->listener);
    sessions = state_->sessions;
  }
  if (l) l->stop();
  for (const auto& w : sessions) {
    if (auto s = w.lock()) s->stop();
  }
}

bool server::tls() const noexcept { return state_->tls != nullptr; }

std::size_t server::connections() const noexcept { return state_->connections.load(); }

}  // namespace vmterm::http
