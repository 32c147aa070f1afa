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

/// Exactly one of `stream` and `tls` carries the connection: check `tls` first.
struct upgraded_connection::impl {
  /// Plain TCP: the connection, on its strand, no timeout set. Under TLS: an unopened
  /// placeholder on the same strand, unused (the TCP stream is tls->next_layer()).
  boost::beast::tcp_stream stream;
  boost::beast::flat_buffer buffer;  ///< bytes the server read past the request (may be empty)
  boost::beast::http::request<boost::beast::http::string_body> raw;  ///< for websocket accept
  /// Set when the connection came in over TLS: handshake done, on the connection's strand, no
  /// timeout set (on tls->next_layer()); use it with websocket::stream<tls_stream>. Null for
  /// plain TCP.
  std::unique_ptr<tls_stream> tls{};
};

/// Moves the plain TCP stream out (the connection is then the caller's); for a TLS connection
/// (c.get().tls set) move `*c.get().tls` or the unique_ptr instead.
[[nodiscard]] inline boost::beast::tcp_stream take_stream(upgraded_connection& c) {
  return std::move(c.get().stream);
}

}  // namespace vmterm::http
