#pragma once
/// Internal to lib/http: accepts connections and starts one http_session each, on its own strand.
/// Lifetime: kept alive by its pending accept (shared_from_this) and by server::state until stop.

#include <boost/asio/ip/tcp.hpp>
#include <memory>

#include "http/detail/server_state.hpp"

namespace vmterm::http {

class listener : public std::enable_shared_from_this<listener> {
 public:
  listener(std::shared_ptr<server::state> st, boost::asio::ip::tcp::acceptor acceptor);
  /// Starts accepting (posts onto the acceptor's strand).
  void run();
  /// Closes the acceptor on its strand; the pending accept ends with operation_aborted.
  void stop();

 private:
  void do_accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  /// Registers a new session for stop() and runs it.
  template <class Session>
  void start(std::shared_ptr<Session> session);

  std::shared_ptr<server::state> state_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace vmterm::http
