#include "ws_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <optional>

namespace vmterm::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

struct ws_client::impl {
  net::io_context ioc;
  std::optional<websocket::stream<beast::tcp_stream>> ws;
  websocket::response_type response;
  unsigned status = 0;  ///< of the upgrade response, once one was read
  std::string error;
  bool closed = false;
  bool dropped = false;
  std::uint16_t close_code = 0;
  std::size_t pings = 0;
  std::string close_reason;

  // A read in progress survives a timeout: its result lands here when it completes.
  bool reading = false;
  std::optional<ws_frame> result;
  beast::flat_buffer buffer;

  /// Runs the io_context until `done()` or the deadline; true when done.
  template <typename Pred>
  bool run_until(Pred done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return false;
      ioc.restart();
      ioc.run_one_for(deadline - now);
    }
    return true;
  }

  void start_read() {
    reading = true;
    buffer.clear();
    ws->async_read(buffer, [this](beast::error_code ec, std::size_t) {
      reading = false;
      ws_frame f;
      if (ec == websocket::error::closed) {
        note_closed();
        f.type = ws_frame::kind::closed;
      } else if (ec) {
        f.type = ws_frame::kind::error;
        f.data = ec.message();
        error = f.data;
      } else {
        f.type = ws->got_binary() ? ws_frame::kind::binary : ws_frame::kind::text;
        f.data = beast::buffers_to_string(buffer.data());
      }
      result = std::move(f);
    });
  }

  void note_closed() {
    closed = true;
    close_code = ws->reason().code;
    close_reason = std::string(ws->reason().reason.data(), ws->reason().reason.size());
  }

  bool send(std::string_view payload, bool binary, std::chrono::milliseconds timeout) {
    if (!ws || closed || dropped) {
      error = "not connected";
      return false;
    }
    ws->binary(binary);
    bool done = false;
    beast::error_code result_ec;
    ws->async_write(net::buffer(payload.data(), payload.size()),
                    [&](beast::error_code ec, std::size_t) {
                      result_ec = ec;
                      done = true;
                    });
    if (!run_until([&] { return done; }, timeout)) {
      error = "write timed out";
      return false;
    }
    if (result_ec) {
      error = result_ec.message();
      return false;
    }
    return true;
  }
};

ws_client::ws_client() : impl_(std::make_unique<impl>()) {}

ws_client::~ws_client() { drop(); }

bool ws_client::connect(std::uint16_t port, std::string_view target, ws_connect_options options) {
  auto& s = *impl_;
  s.ws.emplace(s.ioc);
  s.response = {};
  s.status = 0;
  s.error.clear();
  s.closed = false;
  s.dropped = false;
  s.close_code = 0;
  s.close_reason.clear();
  s.reading = false;
  s.result.reset();
  s.pings = 0;
  s.ws->read_message_max(options.read_message_max);
  s.ws->control_callback([&s](websocket::frame_type kind, beast::string_view) {
    if (kind == websocket::frame_type::ping) ++s.pings;
  });
  const tcp::endpoint ep(net::ip::make_address(options.host), port);
  bool done = false;
  beast::error_code ec_out;
  beast::get_lowest_layer(*s.ws).async_connect(ep, [&](beast::error_code ec) {
    ec_out = ec;
    done = true;
  });
  if (!s.run_until([&] { return done; }, options.timeout) || ec_out) {
    s.error = ec_out ? ec_out.message() : "connect timed out";
    drop();
    return false;
  }
  s.ws->set_option(
      websocket::stream_base::decorator([headers = options.headers](websocket::request_type& req) {
        for (const auto& [name, value] : headers) req.set(name, value);
      }));
  done = false;
  const std::string host = options.host + ":" + std::to_string(port);
  s.ws->async_handshake(s.response, host, std::string(target), [&](beast::error_code ec) {
    ec_out = ec;
    done = true;
  });
  if (!s.run_until([&] { return done; }, options.timeout)) {
    s.error = "upgrade timed out";
    drop();
    return false;
  }
  // Beast's handshake errors (upgrade_declined, bad_sec_accept...) come after the response
  // was read; transport errors before it.
  const auto& handshake_category =
      websocket::make_error_code(websocket::error::upgrade_declined).category();
  if (!ec_out || ec_out.category() == handshake_category) s.status = s.response.result_int();
  if (ec_out) {
    s.error = ec_out.message();
    drop();
    return false;
  }
  return true;
}

unsigned ws_client::status() const noexcept { return impl_->status; }

const std::string& ws_client::body() const noexcept { return impl_->response.body(); }

std::string ws_client::response_header(std::string_view name) const {
  const auto it = impl_->response.find(beast::string_view(name.data(), name.size()));
  if (it == impl_->response.end()) return {};
  return std::string(it->value());
}

const std::string& ws_client::error() const noexcept { return impl_->error; }

ws_frame ws_client::read(std::chrono::milliseconds timeout) {
  auto& s = *impl_;
  if (!s.result && (!s.ws || s.dropped)) return {ws_frame::kind::error, "not connected"};
  if (!s.result && s.closed) return {ws_frame::kind::closed, {}};
  if (!s.result && !s.reading) s.start_read();
  if (!s.run_until([&] { return s.result.has_value(); }, timeout)) return {};
  ws_frame f = std::move(*s.result);
  s.result.reset();
  return f;
}

bool ws_client::send_binary(std::string_view payload, std::chrono::milliseconds timeout) {
  return impl_->send(payload, true, timeout);
}

bool ws_client::send_text(std::string_view payload, std::chrono::milliseconds timeout) {
  return impl_->send(payload, false, timeout);
}

bool ws_client::close(std::uint16_t code, std::chrono::milliseconds timeout) {
  auto& s = *impl_;
  if (!s.ws || s.dropped) return false;
  if (s.closed) return true;
  // Beast's close writes our close frame, then reads (and drops) frames until the server's
  // close; it must not run while our own read is pending, so let that one finish first.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (s.reading && !s.run_until([&] { return !s.reading; }, timeout)) return false;
  if (s.closed) return true;
  bool done = false;
  beast::error_code ec_out;
  s.ws->async_close(websocket::close_reason(code), [&](beast::error_code ec) {
    ec_out = ec;
    done = true;
  });
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (!s.run_until([&] { return done; }, left)) return false;
  s.note_closed();
  if (ec_out) s.error = ec_out.message();
  return !ec_out;
}

void ws_client::drop() noexcept {
  auto& s = *impl_;
  if (!s.ws || s.dropped) return;
  s.dropped = true;
  beast::error_code ignored;
  beast::get_lowest_layer(*s.ws).socket().shutdown(tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(*s.ws).socket().close(ignored);
  // Let a pending read complete (aborted) so its handler does not outlive the stream.
  s.run_until([&] { return !s.reading; }, std::chrono::seconds(1));
  s.result.reset();
}

bool ws_client::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    const auto f = read(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
    if (f.type == ws_frame::kind::closed) return true;
    if (f.type == ws_frame::kind::error || f.type == ws_frame::kind::timeout) return false;
  }
}

bool ws_client::closed() const noexcept { return impl_->closed; }

std::uint16_t ws_client::close_code() const noexcept { return impl_->close_code; }

const std::string& ws_client::close_reason() const noexcept { return impl_->close_reason; }

std::size_t ws_client::pings() const noexcept { return impl_->pings; }

}  // namespace vmterm::test
