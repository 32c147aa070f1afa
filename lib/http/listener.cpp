#include "http/detail/listener.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>

#include "asio/cloexec.hpp"
#include "core/log.hpp"
#include "http/detail/http_session.hpp"

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
  // Asio's async_accept uses accept(2), whose socket a forked shell would inherit: wait until a
  // connection is waiting, then take it with accept4(SOCK_CLOEXEC).
  acceptor_.async_wait(
      net::ip::tcp::acceptor::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
        if (ec) return self->on_accept(ec, net::ip::tcp::socket(self->state_->ioc));
        auto socket =
            asio::accept_cloexec(self->acceptor_, self->state_->connection_executor(), ec);
        if (ec == net::error::would_block) return self->do_accept();  // gone
        self->on_accept(ec, std::move(socket));
      });
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
