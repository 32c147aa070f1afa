#pragma once
/// One WebSocket connection of the terminal bridge (internal to lib/term): the handshake over
/// an upgraded connection (plain TCP or TLS), then one read loop handing frames to its
/// terminal_session and one writer that pulls what to send from it (one write at a time; the
/// session's queue is the bounded outgoing queue). The keep-alive is its own (a ping after each
/// ping interval without a message; dropped when a ping gets nothing back within an interval);
/// the message size cap (close 1009) and the handshake timeout are Beast's. A connection without a
/// session is a refusal: it sends its error message and closes with its code.
///
/// Threading: everything runs on the session's strand (`strand`), whatever the stream's own
/// executor; the caller may be on any thread.

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "http/router.hpp"
#include "term/session_hub.hpp"
#include "trace/span.hpp"

namespace vmterm::term {

class terminal_session;

struct connection_setup {
  std::shared_ptr<const hub_options> options;
  std::shared_ptr<terminal_session> session;   ///< null: refuse with the fields below
  std::optional<std::uint64_t> resume_offset;  ///< set for a resume
  bool replay_held = false;                    ///< the resume starts at the oldest byte held
  std::string refusal_message{};               ///< the "error" message's text
  std::uint16_t refusal_code = 1000;
  std::string refusal_reason{};  ///< the close reason (short)
  trace::span span{};            ///< "WS /ws/terminal/", ended when the connection leaves
};

/// Takes the stream out of `conn` and runs the connection on `strand`.
/// The executor (strand) the upgraded connection's socket runs on: a new session lives there.
[[nodiscard]] boost::asio::any_io_executor connection_executor(http::upgraded_connection& conn);

void start_ws_connection(http::upgraded_connection conn, boost::asio::any_io_executor strand,
                         connection_setup setup);

}  // namespace vmterm::term
