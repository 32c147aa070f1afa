#include "term/detail/ws_connection.hpp"

#include <algorithm>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <string_view>

#include "http/upgrade.hpp"
#include "term/detail/deflate_layer.hpp"
#include "term/detail/permessage_deflate.hpp"
#include "term/detail/terminal_session.hpp"

namespace vmterm::term {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using raw_request = beast::http::request<beast::http::string_body>;

constexpr auto handshake_timeout = std::chrono::seconds(30);
/// The most one read appends to a message being received.
constexpr std::size_t read_piece = 64 << 10;
/// The first read of a message asks for no more than this: Beast sizes the buffer when the read
/// starts, before anything arrives, and an idle session's pending read would hold 1.5 KiB. A
/// keystroke, an escape sequence or an ack fits; a longer message takes its rest (already in
/// Beast's own read buffer: no more I/O) in read_piece steps.
constexpr std::size_t first_read_piece = 64;

/// Frames below this size (keystroke echoes) are sent uncompressed.
constexpr std::size_t compress_min = 256;
/// Output quiet this long frees the connection's compression window (~50 KiB of zlib state):
/// an idle session holds none; the next burst starts a new window.
constexpr auto deflate_idle = std::chrono::seconds(2);

/// The request's Sec-WebSocket-Extensions values, joined by commas.
std::string extension_offers(const raw_request& req) {
  std::string offers;
  const auto [first, last] = req.equal_range(beast::http::field::sec_websocket_extensions);
  for (auto it = first; it != last; ++it) {
    if (!offers.empty()) offers += ',';
    offers.append(it->value().data(), it->value().size());
  }
  return offers;
}

/// A close frame's code and reason (cut to the 123 bytes a close frame holds).
websocket::close_reason close_frame(std::uint16_t code, std::string_view reason) {
  websocket::close_reason r;
  r.code = code;
  reason = reason.substr(0, r.reason.max_size());
  r.reason.assign(reason.data(), reason.size());
  return r;
}

/// Why the read loop ended, for the span (never the peer's own words).
std::string ended_because(const beast::error_code& ec) {
  if (ec == websocket::error::closed) return "client closed";
  if (ec == websocket::error::message_too_big) return "message too big";
  if (ec == beast::error::timeout) return "no pong (ping timeout)";
  if (ec == websocket::error::bad_frame_payload) return "invalid frame payload";
  if (ec == net::error::operation_aborted) return "aborted";
  return "connection lost";
}

template <class Stream>
class ws_connection final : public session_link,
                            public std::enable_shared_from_this<ws_connection<Stream>> {
 public:
  ws_connection(Stream&& stream, raw_request raw, net::any_io_executor strand,
                connection_setup setup)
      : ws_(std::move(stream)),
        raw_(std::move(raw)),
        strand_(std::move(strand)),
        setup_(std::move(setup)),
        timer_(strand_),
        ping_timer_(strand_) {}

  void start() {
    net::dispatch(strand_, [self = this->shared_from_this()] { self->do_accept(); });
  }

  /// Posted, never run inside the caller (as Beast completes its operations): the session
  /// wakes the link in the middle of its own methods, and pull() calls back into it (next()).
  /// Wakes while one is pending are one wake.
  void wake() override {
    if (wake_posted_) return;
    wake_posted_ = true;
    net::post(strand_, [self = this->shared_from_this()] {
      self->wake_posted_ = false;
      self->pull_if_idle();
    });
  }

  /// The session is done with its state: no post, the writer pulls now if it is idle.
  void ready() override { pull_if_idle(); }

  void abort() noexcept override {
    open_ = false;
    timer_.cancel();
    ping_timer_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

 private:
  template <class F>
  auto on_strand(F&& f) {
    return net::bind_executor(strand_, std::forward<F>(f));
  }

  void do_accept() {
    const auto& o = *setup_.options;
    // --max-message is enforced in on_read rather than by Beast, whose 1009 has no reason.
    ws_.read_message_max(0);
    ws_.auto_fragment(false);  // one frame per coalesced chunk
    // permessage-deflate is the layer under Beast's stream (deflate_layer.hpp), not Beast's.
    if (o.compression) {
      deflate_ = pmd::negotiate(extension_offers(raw_));
      if (deflate_) {
        ws_.set_option(websocket::stream_base::decorator(
            [response = deflate_->response](websocket::response_type& res) {
              if (res.result() == beast::http::status::switching_protocols) {
                res.set(beast::http::field::sec_websocket_extensions, response);
              }
            }));
      }
    }
    // The handshake (and closing handshake) timeout is Beast's; the keep-alive is ours (see
    // arm_ping): Beast's idle timer is re-armed on every read, a timerfd_settime per keystroke.
    websocket::stream_base::timeout t{};
    t.handshake_timeout = handshake_timeout;
    t.idle_timeout = websocket::stream_base::none();
    t.keep_alive_pings = false;
    ws_.set_option(t);
    // A pong (or any control frame) is a sign of life for the keep-alive.
    ws_.control_callback([this](websocket::frame_type, beast::string_view) { heard_ = true; });
    ws_.async_accept(raw_, on_strand([self = this->shared_from_this()](beast::error_code ec) {
                       self->on_accept(ec);
                     }));
  }

  void on_accept(beast::error_code ec) {
    raw_ = {};
    if (ec) {
      setup_.span.set_attribute("vmterm.ws.close_reason", "handshake failed");
      setup_.span.set_status(trace::status_code::error, "websocket handshake failed");
      setup_.span.end();
      if (setup_.session && !setup_.resume_offset) setup_.session->abandon();
      return;
    }
    open_ = true;
    if (deflate_) {
      ws_.next_layer().enable(deflate_->server_window_bits, setup_.options->max_message,
                              compress_min, deflate_->server_context_takeover);
      deflate_.reset();
    }
    // An echo is one small frame: it goes now, not after the previous frame's ACK (Nagle).
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().set_option(net::ip::tcp::no_delay(true), ignored);
    if (!setup_.session) return refuse();
    setup_.session->attach(this->shared_from_this(), setup_.resume_offset, std::move(setup_.span),
                           setup_.replay_held);
    do_read();
    if (open_ && setup_.options->ping_interval.count() > 0) arm_ping();
  }

  /// The keep-alive, lazy: the timer fires once per ping interval whatever the traffic, and
  /// reading only sets a flag (no clock read, no timer re-arm per message). At each tick: after
  /// an interval without a message from the client, a ping; after an interval in which the
  /// last ping got nothing back at all (no pong, no message), the peer is taken as dead and the
  /// connection dropped (as a broken one: the session waits for a resume). An idle client is
  /// pinged every interval; a dead one is dropped two to three intervals after it went quiet.
  void arm_ping() {
    ping_timer_.expires_after(setup_.options->ping_interval);
    ping_timer_.async_wait(on_strand([self = this->shared_from_this()](beast::error_code e) {
      if (!e) self->on_ping_tick();
    }));
  }

  void on_ping_tick() {
    if (!open_ || closing_) return;
    const bool heard = heard_ || got_message_;
    if (!heard && ping_outstanding_) {
      timed_out_ = true;  // the read fails now; the span says why
      abort();
      return;
    }
    if (heard) ping_outstanding_ = false;
    if (!got_message_ && !pinging_) {
      pinging_ = true;
      ping_outstanding_ = true;
      ws_.async_ping({}, on_strand([self = this->shared_from_this()](beast::error_code ec) {
                       self->on_ping_sent(ec);
                     }));
    }
    heard_ = got_message_ = false;
    arm_ping();
  }

  /// A close asked for while the ping was being written goes now (Beast takes one ping, pong or
  /// close at a time).
  void on_ping_sent(beast::error_code ec) {
    pinging_ = false;
    if (ec || !close_after_ping_) return;
    const auto why = std::move(close_after_ping_);
    send_close(*why);
  }

  void send_close(const websocket::close_reason& why) {
    if (pinging_) {
      close_after_ping_ = std::make_unique<websocket::close_reason>(why);
      return;
    }
    ws_.async_close(why, on_strand([self = this->shared_from_this()](beast::error_code) {}));
  }

  /// The refusal: the error message, then the close.
  void refuse() {
    setup_.span.set_attribute("vmterm.ws.close_reason", setup_.refusal_reason);
    setup_.span.set_attribute("vmterm.ws.close_code", std::int64_t{setup_.refusal_code});
    if (setup_.refusal_code != 1000 && setup_.refusal_code != 1001) {
      setup_.span.set_status(trace::status_code::error, setup_.refusal_reason);
    }
    out_ = encode_error(setup_.refusal_message);
    ws_.text(true);
    ws_.async_write(net::buffer(out_),
                    on_strand([self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                      if (ec) return self->setup_.span.end();
                      self->ws_.async_close(
                          close_frame(self->setup_.refusal_code, self->setup_.refusal_reason),
                          self->on_strand([self](beast::error_code) { self->setup_.span.end(); }));
                    }));
  }

  /// Reads the next piece of a message: never more than one byte past --max-message in all.
  void do_read() {
    const std::size_t room = setup_.options->max_message + 1 - buffer_.size();
    const std::size_t piece = buffer_.size() == 0 ? first_read_piece : read_piece;
    ws_.async_read_some(buffer_, std::min(room, piece),
                        on_strand([self = this->shared_from_this()](
                                      beast::error_code ec, std::size_t) { self->on_read(ec); }));
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      open_ = false;
      timer_.cancel();
      ping_timer_.cancel();
      if (timed_out_) ec = beast::error::timeout;
      // The client's close frame's code when it closed; none (1006) when the connection broke.
      // Beast itself closes with 1009 for a message over the limit.
      std::uint16_t code = 0;
      if (ec == websocket::error::closed) code = ws_.reason().code;
      if (ec == websocket::error::message_too_big) code = websocket::close_code::too_big;
      setup_.session->detach(this, ended_because(ec), code);
      return;
    }
    if (buffer_.size() > setup_.options->max_message) return close_too_big();
    got_message_ = true;
    if (!ws_.is_message_done()) return do_read();
    const auto data = buffer_.cdata();
    const std::string_view bytes(static_cast<const char*>(data.data()), data.size());
    if (ws_.got_binary()) {
      setup_.session->on_binary(this, bytes);
    } else {
      setup_.session->on_text(this, bytes);
    }
    // Given back after every message: an idle session holds no read buffer (a keystroke's
    // 1.5 KiB comes from malloc's per-thread cache again, cheaply).
    buffer_ = beast::flat_buffer();
    if (open_) do_read();
  }

  /// 1009 with the limit in words; the session waits for a resume as after a drop.
  void close_too_big() {
    open_ = false;
    closing_ = true;
    timer_.cancel();
    buffer_ = beast::flat_buffer();
    setup_.session->detach(this, "message too big");
    const std::string reason = "message larger than " +
                               std::to_string(setup_.options->max_message) +
                               " bytes, the server's message limit";
    send_close(close_frame(websocket::close_code::too_big, reason));
  }

  void pull_if_idle() {
    if (open_ && !writing_ && !waiting_ && !closing_) pull();
  }

  /// Asks the session what to write next; one write (or wait, or close) at a time.
  void pull() {
    // The frame storage goes to the session and comes back with the next frame (or a wait);
    // when there is nothing to write it is dropped: an idle connection holds no frame.
    outgoing item = setup_.session->next(this, std::chrono::steady_clock::now(), std::move(out_));
    out_.clear();
    switch (item.type) {
      case outgoing::kind::none:
        quiet_since_ = std::chrono::steady_clock::now();
        if (ws_.next_layer().holds_window() && !drop_armed_) arm_window_drop(deflate_idle);
        return;
      case outgoing::kind::text:
      case outgoing::kind::binary:
        writing_ = true;
        out_ = std::move(item.data);
        ws_.text(item.type == outgoing::kind::text);
        ws_.async_write(net::buffer(out_),
                        on_strand([self = this->shared_from_this()](
                                      beast::error_code e, std::size_t) { self->on_write(e); }));
        return;
      case outgoing::kind::wait:
        out_ = std::move(item.data);
        waiting_ = true;
        timer_.expires_at(item.until);
        timer_.async_wait(on_strand([self = this->shared_from_this()](beast::error_code e) {
          self->waiting_ = false;
          if (!e) self->pull_if_idle();
        }));
        return;
      case outgoing::kind::close:
        closing_ = true;
        // The pending read sees the client's answering close and detaches the session.
        send_close(close_frame(item.code, item.data));
        return;
    }
  }

  /// Frees the compression window once the output has been quiet for deflate_idle. One timer
  /// arm per quiet spell, not per frame: when it fires early it waits out the rest. Shares
  /// timer_ with the coalescer's waits, which only come while output flows (a wait cancels it;
  /// the next quiet moment arms it again).
  void arm_window_drop(std::chrono::steady_clock::duration after) {
    drop_armed_ = true;
    timer_.expires_after(after);
    timer_.async_wait(on_strand([self = this->shared_from_this()](beast::error_code e) {
      self->drop_armed_ = false;
      if (e || self->writing_ || self->waiting_ || !self->open_) return;
      const auto quiet = std::chrono::steady_clock::now() - self->quiet_since_;
      if (quiet < deflate_idle) return self->arm_window_drop(deflate_idle - quiet);
      self->ws_.next_layer().release_window();
    }));
  }

  void on_write(beast::error_code ec) {
    writing_ = false;
    out_.clear();  // kept for the next frame; pull() drops it when nothing follows
    if (ec) {      // the read fails too and detaches
      abort();
      return;
    }
    pull_if_idle();
  }

  websocket::stream<deflate_layer<Stream>> ws_;
  std::optional<pmd::agreement> deflate_;  ///< agreed, until the handshake is answered
  raw_request raw_;
  net::any_io_executor strand_;
  connection_setup setup_;
  net::steady_timer timer_;
  net::steady_timer ping_timer_;  ///< the keep-alive's tick (arm_ping)
  beast::flat_buffer buffer_;
  std::string out_;  ///< the frame being written
  bool open_ = false;
  bool writing_ = false;
  bool waiting_ = false;
  bool closing_ = false;
  bool wake_posted_ = false;
  bool drop_armed_ = false;  ///< timer_ waits to free the compression window
  // The keep-alive (arm_ping):
  bool got_message_ = false;       ///< a message (or part of one) came since the last tick
  bool heard_ = false;             ///< a control frame (a pong) came since the last tick
  bool ping_outstanding_ = false;  ///< a ping went out and nothing has come back since
  bool pinging_ = false;           ///< Beast is writing our ping
  bool timed_out_ = false;         ///< dropped for want of a pong
  /// A close that waits for our ping's write (held only then: a close_reason is 130 bytes).
  std::unique_ptr<websocket::close_reason> close_after_ping_;
  std::chrono::steady_clock::time_point quiet_since_{};  ///< the writer last found nothing
};

}  // namespace

net::any_io_executor connection_executor(http::upgraded_connection& conn) {
  auto& c = conn.get();
  return c.tls ? c.tls->get_executor() : c.stream.get_executor();
}

void start_ws_connection(http::upgraded_connection conn, net::any_io_executor strand,
                         connection_setup setup) {
  auto& c = conn.get();
  if (c.tls) {
    std::make_shared<ws_connection<http::tls_stream>>(std::move(*c.tls), std::move(c.raw),
                                                      std::move(strand), std::move(setup))
        ->start();
    return;
  }
  std::make_shared<ws_connection<beast::tcp_stream>>(http::take_stream(conn), std::move(c.raw),
                                                     std::move(strand), std::move(setup))
      ->start();
}

}  // namespace vmterm::term
