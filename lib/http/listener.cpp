#include "http/listener.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "core/log.hpp"
#include "http/http_session.hpp"

namespace vmterm::http {

namespace net = boost::asio;

listener::listener(std::shared_ptr<server::state> st, net::ip::tcp::acceptor acceptor)
    : state_(std::move(st)), acceptor_(std::move(acceptor)) {}

void listener::run() {
  net::dispatch(acceptor_.get_executor(),
                boost::beast::bind_front_handler(&listener::do_accept, shared_from_this()));
}

void listener::stop() {
  net::post(acceptor_.get_executor(), [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->acceptor_.close(ignored);
  });
}

void listener::do_accept() {
  if (state_->stopping) return;
  // Each connection gets its own strand, so its handlers never run concurrently.
  acceptor_.async_accept(
      net::make_strand(state_->ioc),
      boost::beast::bind_front_handler(&listener::on_accept, shared_from_this()));
}

template <class Session>
void listener::start(std::shared_ptr<Session> session) {
  {
    std::lock_guard lock(state_->mu);
    std::erase_if(state_->sessions, [](const auto& w) { return w.expired(); });
    state_->sessions.push_back(session);
  }
  session->run();
}

void listener::on_accept(boost::system::error_code ec, net::ip::tcp::socket socket) {
  if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    log::warn("http accept failed", {{"error", ec.message()}});
  } else if (state_->stopping) {
    return;
  } else if (state_->connections.load() >= state_->options.max_connections) {
    log::warn("http connection refused: too many connections; raise the connection limit",
              {{"max_connections", state_->options.max_connections}});
    boost::system::error_code ignored;
    socket.close(ignored);
  } else {
    if (state_->tls) {
      start(std::make_shared<secure_session>(std::move(socket), state_));
    } else {
      start(std::make_shared<plain_session>(std::move(socket), state_));
    }
  }
  do_accept();
}

}  // namespace vmterm::http
