#include "http/detail/http_session.hpp"

#include <openssl/ssl.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "core/log.hpp"
#include "http/detail/request_pipeline.hpp"
#include "http/host_check.hpp"
#include "http/middleware.hpp"

namespace vmterm::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

request to_request(const bhttp::request<bhttp::string_body>& in) {
  request out;
  out.method = std::string(in.method_string());
  out.url = std::string(in.target());
  for (const auto& f : in) out.headers.add(std::string(f.name_string()), std::string(f.value()));
  out.body = in.body();
  return out;
}

request_context context_for(const request& req, std::string peer) {
  request_context ctx;
  const auto q = req.url.find('?');
  ctx.path = req.url.substr(0, q);
  if (q != std::string::npos) ctx.query = req.url.substr(q + 1);
  ctx.request_id = request_id_for(req.headers);
  ctx.peer_address = std::move(peer);
  return ctx;
}

template <class Stream>
Stream make_stream(net::ip::tcp::socket socket, server::state& st) {
  if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
    return Stream(std::move(socket));
  } else {
    return Stream(std::move(socket), *st.tls);
  }
}

/// How long a TLS close_notify exchange may take before the socket is simply closed.
constexpr auto tls_shutdown_timeout = std::chrono::seconds(2);

}  // namespace

template <class Stream>
http_session<Stream>::http_session(net::ip::tcp::socket socket, std::shared_ptr<server::state> st)
    : stream_(make_stream<Stream>(std::move(socket), *st)),
      read_timer_(stream_.get_executor()),
      state_(std::move(st)) {
  boost::system::error_code ec;
  const auto remote = tcp().socket().remote_endpoint(ec);
  if (!ec) peer_ = remote.address().to_string();
  ++state_->connections;
}

template <class Stream>
http_session<Stream>::~http_session() {
  if (counted_) --state_->connections;
}

template <class Stream>
beast::tcp_stream& http_session<Stream>::tcp() noexcept {
  if constexpr (is_tls) {
    return stream_.next_layer();
  } else {
    return stream_;
  }
}

template <class Stream>
void http_session<Stream>::run() {
  if constexpr (is_tls) {
    // The handshake runs under its own deadline; a client that connects and says nothing
    // holds the connection no longer than that.
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      // A stop() that ran before this session was registered did not see it; it had already
      // set `stopping`, which do_idle_wait checks for plain sessions and this for TLS ones.
      if (self->state_->stopping) return self->tcp().close();
      self->idle_ = true;  // nothing requested yet: stop() may cut the handshake short
      self->tcp().expires_after(self->state_->options.tls_handshake_timeout);
      self->stream_.async_handshake(
          net::ssl::stream_base::server,
          beast::bind_front_handler(&self_type::on_handshake, self->shared_from_this()));
    });
  } else {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&self_type::do_idle_wait, this->shared_from_this()));
  }
}

template <class Stream>
void http_session<Stream>::on_handshake(boost::system::error_code ec) {
  idle_ = false;
  if (ec) {
    // A port scan, a plain-HTTP client, an untrusted certificate: nothing to say over TLS.
    log::debug("http TLS handshake failed", {{"peer", peer_}, {"error", ec.message()}});
    return tcp().close();
  }
  do_idle_wait();
}

template <class Stream>
void http_session<Stream>::stop() {
  // Through the timer's executor (the same strand): after a hand-off stream_ is moved-from.
  net::post(read_timer_.get_executor(), [self = this->shared_from_this()] {
    // Cancelling the idle read lands in on_idle, which closes (TLS: with close_notify, which
    // must not overlap the pending read).
    if (self->idle_) self->tcp().cancel();
  });
}

template <class Stream>
void http_session<Stream>::do_idle_wait() {
  if (buffer_.size() > 0) return do_read();  // a pipelined request is already here
  if (state_->stopping) return close();
  // Wait for the first byte under the idle timeout; the read timeout starts with the request.
  idle_ = true;
  tcp().expires_after(state_->options.idle_timeout);
  stream_.async_read_some(buffer_.prepare(4096),
                          beast::bind_front_handler(&self_type::on_idle, this->shared_from_this()));
}

template <class Stream>
void http_session<Stream>::on_idle(boost::system::error_code ec, std::size_t n) {
  idle_ = false;
  if (ec) return close();  // idle timeout, peer closed, or stop()
  buffer_.commit(n);
  do_read();
}

template <class Stream>
void http_session<Stream>::do_read() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(state_->options.header_limit));
  parser_->body_limit(state_->options.body_limit);
  started_ = std::chrono::steady_clock::now();
  // Part of a request is here: its deadline is our own timer, not the stream's, because the
  // stream's timeout closes the socket and a client past it is owed a 408 first.
  tcp().expires_never();
  reading_ = true;
  timed_out_ = false;
  read_timer_.expires_after(state_->options.read_timeout);
  read_timer_.async_wait([self = this->shared_from_this()](boost::system::error_code ec) {
    if (ec || !self->reading_) return;
    self->timed_out_ = true;
    self->tcp().cancel();
  });
  bhttp::async_read(stream_, buffer_, *parser_,
                    beast::bind_front_handler(&self_type::on_read, this->shared_from_this()));
}

template <class Stream>
void http_session<Stream>::on_read(boost::system::error_code ec, std::size_t /*n*/) {
  reading_ = false;
  read_timer_.cancel();
  if (ec) return on_read_error(ec);
  handle();
}

template <class Stream>
void http_session<Stream>::on_read_error(boost::system::error_code ec) {
  if (timed_out_) {
    log::debug("http read timed out", {{"peer", peer_}});
    return reject(408);
  }
  if (ec == bhttp::error::body_limit) return reject(413);
  if (ec == bhttp::error::header_limit) return reject(431);
  const bool parse_error =
      ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category() &&
      ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
  if (parse_error) return reject(400);
  // Peer gone (with or without close_notify) or aborted: nothing to answer.
  close();
}

template <class Stream>
void http_session<Stream>::handle() {
  auto& raw = parser_->get();
  request req = to_request(raw);
  if (refuse_host(req, raw.version())) return;
  request_context ctx = context_for(req, peer_);
  const route_match m = state_->routes.match(req.method, ctx.path);
  ctx.route = m.route;
  ctx.rest = m.rest;
  if (m.result == route_match::kind::upgrade && m.upgrade_fn != nullptr &&
      beast::websocket::is_upgrade(raw)) {
    // The gate and the hand-off run inside the request's middleware; a refusal is sent like
    // any response, and the connection then closes (the client wanted another protocol).
    auto refused =
        run_upgrade_pipeline(*state_, m, req, ctx, [&] { hand_off(req, ctx, *m.upgrade_fn); });
    if (refused) send(std::move(*refused), false, false);
    return;
  }
  response res = run_pipeline(*state_, m, req, ctx);
  // Decided after the handler: a stop() that came meanwhile closes the connection after this.
  const bool keep = raw.keep_alive() && !state_->stopping;
  send(std::move(res), keep, req.method == "HEAD");
}

template <class Stream>
bool http_session<Stream>::refuse_host(const request& req, unsigned version) {
  std::size_t count = 0;
  for (const auto& [name, value] : req.headers) {
    if (iequals(name, "Host")) ++count;
  }
  if (count > 1 || (count == 0 && version >= 11)) {
    reject(400, bad_host_count_message(count));
    return true;
  }
  // An HTTP/1.0 request without Host is no browser's: there is no name to check.
  const auto host = req.headers.get("Host");
  if (state_->hosts && host && !state_->hosts->allows(*host)) {
    log::info("http request refused: Host is not a name of this server",
              {{"host", std::string(host->substr(0, 200))}, {"peer", peer_}});
    reject(403, forbidden_host_message(*host, state_->options.allow_host_advice));
    return true;
  }
  return false;
}

template <class Stream>
void http_session<Stream>::hand_off(const request& req, const request_context& ctx,
                                    const upgrade_handler& fn) {
  tcp().expires_never();
  std::unique_ptr<upgraded_connection::impl> owned;
  if constexpr (is_tls) {
    // The TCP stream lives inside the TLS stream; impl::stream is an unopened placeholder.
    auto tls = std::make_unique<tls_stream>(std::move(stream_));
    beast::tcp_stream unused(tls->get_executor());
    owned = std::make_unique<upgraded_connection::impl>(upgraded_connection::impl{
        std::move(unused), std::move(buffer_), parser_->release(), std::move(tls)});
  } else {
    owned = std::make_unique<upgraded_connection::impl>(upgraded_connection::impl{
        std::move(stream_), std::move(buffer_), parser_->release(), nullptr});
  }
  // The connection is no longer this server's to count or to stop.
  counted_ = false;
  --state_->connections;
  // Exceptions go to run_upgrade_pipeline, which records them on the span.
  fn(req, ctx, upgraded_connection(std::move(owned)));
}

template <class Stream>
void http_session<Stream>::send(response res, bool keep_alive, bool head) {
  res_ = {};
  res_.version(11);
  res_.result(res.status);
  if (!res.reason.empty()) res_.reason(res.reason);
  const bool no_body = res.status < 200 || res.status == 204 || res.status == 304;
  if (head && !no_body) {
    // HEAD: the length of the body a GET would get, and no body (also for 404/405 replies).
    if (!res.headers.contains("Content-Length")) {
      res.headers.set("Content-Length", std::to_string(res.body.size()));
    }
    res.body.clear();
  }
  const bool explicit_length = head && !no_body;
  for (const auto& [name, value] : res.headers) {
    if (!explicit_length && iequals(name, "Content-Length")) continue;
    if (iequals(name, "Transfer-Encoding") || iequals(name, "Connection")) continue;
    res_.insert(name, value);
  }
  if (!state_->options.server_name.empty())
    res_.set(bhttp::field::server, state_->options.server_name);
  if (!no_body) res_.body() = std::move(res.body);
  if (!no_body && !explicit_length) res_.prepare_payload();
  res_.keep_alive(keep_alive);
  tcp().expires_after(state_->options.write_timeout);
  bhttp::async_write(
      stream_, res_,
      beast::bind_front_handler(&self_type::on_write, this->shared_from_this(), keep_alive));
}

template <class Stream>
void http_session<Stream>::on_write(bool keep_alive, boost::system::error_code ec,
                                    std::size_t /*n*/) {
  if (!ec && linger_) return do_linger();
  if (ec || !keep_alive || state_->stopping) return close();
  do_idle_wait();
}

template <class Stream>
void http_session<Stream>::do_linger() {
  // After an error response the client may still be sending (a body over the limit): read and
  // discard for a moment, so that closing with unread data does not reset the connection
  // before the client has read our response. Under TLS too this happens below the TLS layer:
  // the response is complete (Connection: close, Content-Length), the rest is discarded.
  boost::system::error_code ignored;
  tcp().socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
  buffer_.clear();
  tcp().expires_after(std::chrono::seconds(1));
  tcp().async_read_some(buffer_.prepare(16384), [self = this->shared_from_this()](
                                                    boost::system::error_code ec, std::size_t) {
    if (ec) return self->tcp().close();
    self->do_linger();
  });
}

template <class Stream>
void http_session<Stream>::reject(unsigned status, std::string body) {
  std::optional<request> partial;
  // Beast parses a header only once all of it is here, so a non-empty method means the start
  // line and the fields (up to any error) are known: enough to name the span and its route.
  if (parser_ && !parser_->get().method_string().empty()) partial = to_request(parser_->get());
  response res = run_rejection(*state_, status, partial ? &*partial : nullptr, peer_, started_,
                               std::move(body));
  linger_ = true;
  send(std::move(res), false, false);
}

template <class Stream>
void http_session<Stream>::close() {
  if (closing_) return;
  closing_ = true;
  if constexpr (is_tls) {
    // Our close_notify, so the client can tell the end from a truncation, then the socket.
    // Marking the peer's close_notify as received makes the shutdown one-way (RFC 8446 6.1:
    // the initiator need not wait for the reply): an idle keep-alive client that is not
    // reading would otherwise hold the connection, and a graceful stop, until the timeout.
    ::SSL_set_shutdown(stream_.native_handle(), SSL_RECEIVED_SHUTDOWN);
    tcp().expires_after(tls_shutdown_timeout);
    stream_.async_shutdown([self = this->shared_from_this()](boost::system::error_code) {
      boost::system::error_code ignored;
      self->tcp().socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
      self->tcp().close();
    });
  } else {
    boost::system::error_code ignored;
    stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ignored);
    stream_.close();
  }
}

template class http_session<beast::tcp_stream>;
template class http_session<tls_stream>;

}  // namespace vmterm::http
