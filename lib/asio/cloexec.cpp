#include "asio/cloexec.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

namespace vmterm::asio {
namespace {

namespace net = boost::asio;
using boost::system::error_code;
using net::ip::tcp;

error_code last_error() { return {errno, boost::system::system_category()}; }

/// A new TCP socket descriptor with SOCK_CLOEXEC, or -1 and `ec`.
int new_socket(tcp protocol, error_code& ec) {
  const int fd = ::socket(protocol.family(), SOCK_STREAM | SOCK_CLOEXEC, protocol.protocol());
  if (fd < 0) ec = last_error();
  return fd;
}

struct connect_attempts {
  tcp::socket& socket;
  tcp::resolver::results_type endpoints;
  tcp::resolver::results_type::const_iterator next;
  std::function<void(error_code, tcp::endpoint)> done;
  error_code last{net::error::host_not_found};
};

void try_next(const std::shared_ptr<connect_attempts>& a) {
  while (a->next != a->endpoints.end()) {
    const tcp::endpoint ep = *a->next++;
    error_code ignored;
    a->socket.close(ignored);
    if (auto ec = open_cloexec(a->socket, ep.protocol()); ec) {
      a->last = ec;
      continue;
    }
    // Connecting an open socket does not reopen it, so the flag stays.
    a->socket.async_connect(ep, [a, ep](error_code ec) {
      if (!ec) return a->done({}, ep);
      a->last = ec;
      if (ec == net::error::operation_aborted || !a->socket.is_open()) {
        return a->done(net::error::operation_aborted, {});
      }
      try_next(a);
    });
    return;
  }
  a->done(a->last, {});
}

}  // namespace

error_code open_cloexec(tcp::socket& socket, tcp protocol) {
  error_code ec;
  const int fd = new_socket(protocol, ec);
  if (fd < 0) return ec;
  socket.assign(protocol, fd, ec);
  if (ec) ::close(fd);
  return ec;
}

error_code open_cloexec(tcp::acceptor& acceptor, tcp protocol) {
  error_code ec;
  const int fd = new_socket(protocol, ec);
  if (fd < 0) return ec;
  acceptor.assign(protocol, fd, ec);
  if (ec) {
    ::close(fd);
    return ec;
  }
  acceptor.native_non_blocking(true, ec);
  return ec;
}

tcp::socket accept_cloexec(tcp::acceptor& acceptor, const net::any_io_executor& executor,
                           error_code& ec) {
  tcp::socket socket(executor);
  ec = {};
  int fd = -1;
  do {
    fd = ::accept4(acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    ec = errno == EAGAIN ? error_code(net::error::would_block) : last_error();
    return socket;
  }
  socket.assign(acceptor.local_endpoint(ec).protocol(), fd, ec);
  if (ec) ::close(fd);
  return socket;
}

void async_connect_cloexec(tcp::socket& socket, tcp::resolver::results_type endpoints,
                           std::function<void(error_code, tcp::endpoint)> done) {
  auto a = std::make_shared<connect_attempts>(
      connect_attempts{socket, std::move(endpoints), {}, std::move(done)});
  a->next = a->endpoints.begin();
  try_next(a);
}

}  // namespace vmterm::asio
