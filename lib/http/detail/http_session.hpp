#pragma once
/// Internal to lib/http: one HTTP/1.1 connection, plain TCP or TLS. Reads a request (limits,
/// timeouts), runs the middleware and the router (request_pipeline), writes the response, and
/// either waits for the next request (keep-alive) or closes; an upgrade route takes the stream
/// over.
///
/// The session is a template over its stream (beast::tcp_stream or tls_stream), instantiated
/// for both in http_session.cpp, as Beast's advanced server does: the plain path compiles to
/// exactly what it was before TLS existed (no per-operation dispatch on the stream type), and
/// the few TLS-only steps (handshake, close_notify, hand-off in impl::tls) are `if constexpr`.
///
/// Lifetime: shared_from_this() is bound into every pending operation; the session dies when
/// the last one completes. Threading: everything runs on the connection's strand; stop() posts
/// onto it. One read or one write is outstanding at a time.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "http/detail/server_state.hpp"
#include "http/upgrade.hpp"

namespace vmterm::http {

/// What the server needs of any session: a graceful stop (see server::stop).
class session_base {
 public:
  virtual ~session_base() = default;
  /// From any thread: closes the connection if it is idle, else lets the request in flight
  /// finish and closes after its response.
  virtual void stop() = 0;
};

template <class Stream>
class http_session : public session_base,
                     public std::enable_shared_from_this<http_session<Stream>> {
 public:
  static constexpr bool is_tls = !std::is_same_v<Stream, boost::beast::tcp_stream>;

  /// For TLS, `st.tls` holds the server's context.
  http_session(boost::asio::ip::tcp::socket socket, std::shared_ptr<server::state> st);
  ~http_session() override;
  http_session(const http_session&) = delete;
  http_session& operator=(const http_session&) = delete;

  void run();
  void stop() override;

 private:
  using self_type = http_session<Stream>;
  [[nodiscard]] boost::beast::tcp_stream& tcp() noexcept;
  void on_handshake(boost::system::error_code ec);
  void do_idle_wait();
  void on_idle(boost::system::error_code ec, std::size_t n);
  void do_read();
  void on_read(boost::system::error_code ec, std::size_t n);
  void on_read_error(boost::system::error_code ec);
  void handle();
  void hand_off(const request& req, const request_context& ctx, const upgrade_handler& fn);
  void send(response res, bool keep_alive, bool head);
  void on_write(bool keep_alive, boost::system::error_code ec, std::size_t n);
  void reject(unsigned status, std::string body = {});
  /// RFC 9112 §3.2 (one Host in HTTP/1.1) and the server's host names: a refusal, or nothing.
  [[nodiscard]] bool refuse_host(const request& req, unsigned version);
  void do_linger();
  void close();

  Stream stream_;
  boost::asio::steady_timer read_timer_;  ///< the read timeout (see do_read)
  boost::beast::flat_buffer buffer_;
  std::shared_ptr<server::state> state_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::beast::http::response<boost::beast::http::string_body> res_;  ///< being written
  std::string peer_;
  std::chrono::steady_clock::time_point started_{};  ///< when the request being read began
  bool idle_ = false;                                ///< waiting for the first byte of a request
  bool reading_ = false;    ///< a request read is pending (the read timer may cancel it)
  bool timed_out_ = false;  ///< the read timer fired: answer 408
  bool counted_ = true;     ///< still counted in state::connections
  bool linger_ = false;     ///< drain the peer's input before closing (after an error reply)
  bool closing_ = false;    ///< close() ran
};

using plain_session = http_session<boost::beast::tcp_stream>;
using secure_session = http_session<tls_stream>;

extern template class http_session<boost::beast::tcp_stream>;
extern template class http_session<tls_stream>;

}  // namespace vmterm::http
