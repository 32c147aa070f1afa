#pragma once
/// The WebSocket seam: what an upgrade route's handler gets inside its upgraded_connection.
/// This header (and only this one among lib/http's public headers) exposes Beast types; include
/// it only where the connection is taken over (the WebSocket session).

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <memory>

#include "http/router.hpp"

namespace vmterm::http {

using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

struct upgraded_connection::impl {
  boost::beast::tcp_stream stream;   ///< on the connection's strand; no timeout set
  boost::beast::flat_buffer buffer;  ///< bytes the server read past the request (may be empty)
  boost::beast::http::request<boost::beast::http::string_body> raw;  ///< for websocket accept
  /// Set when the connection came in over TLS: the stream lives inside it (then `stream` is
  /// empty and unused). Null for plain TCP.
  std::unique_ptr<tls_stream> tls{};
};

/// Moves the stream out (the connection is then the caller's).
[[nodiscard]] inline boost::beast::tcp_stream take_stream(upgraded_connection& c) {
  return std::move(c.get().stream);
}

}  // namespace vmterm::http
