#pragma once
/// TCP sockets opened and accepted close-on-exec. Asio 1.26 (Boost 1.81) opens sockets with a
/// plain socket(2) and accepts with accept(2), so its descriptors survive an exec: a shell that
/// vmterm-serve starts would inherit the listening socket and other users' connections. These
/// set SOCK_CLOEXEC atomically, so no fork on another thread can catch a descriptor before the
/// flag is set. Every vmterm socket is made through them.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>

namespace vmterm::asio {

/// Opens the closed `socket` for `protocol` with SOCK_CLOEXEC.
[[nodiscard]] boost::system::error_code open_cloexec(boost::asio::ip::tcp::socket& socket,
                                                     boost::asio::ip::tcp protocol);
/// The same for an acceptor, which is also made non-blocking (for accept_cloexec).
[[nodiscard]] boost::system::error_code open_cloexec(boost::asio::ip::tcp::acceptor& acceptor,
                                                     boost::asio::ip::tcp protocol);

/// accept4(SOCK_CLOEXEC | SOCK_NONBLOCK) on an acceptor from open_cloexec: the connection as a
/// socket on `executor`; `ec` is would_block when none is waiting (wait for wait_read first).
[[nodiscard]] boost::asio::ip::tcp::socket accept_cloexec(
    boost::asio::ip::tcp::acceptor& acceptor, const boost::asio::any_io_executor& executor,
    boost::system::error_code& ec);

/// Like boost::asio::async_connect over the resolver's endpoints, trying each in turn, with
/// every attempt's socket opened by open_cloexec. `done` gets the last error (or none) and the
/// endpoint connected to; it runs on the socket's executor. Cancelling or closing the socket
/// ends the attempts with operation_aborted. `socket` must outlive the operation.
void async_connect_cloexec(
    boost::asio::ip::tcp::socket& socket, boost::asio::ip::tcp::resolver::results_type endpoints,
    std::function<void(boost::system::error_code, boost::asio::ip::tcp::endpoint)> done);

}  // namespace vmterm::asio
