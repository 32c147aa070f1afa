#include "term_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <stdexcept>

namespace vmterm::bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using net::use_awaitable;

namespace {

/// The page's acknowledgement policy (tools/vmterm-serve/web/app.js).
constexpr std::uint64_t ack_every_bytes = 64 * 1024;
constexpr std::chrono::milliseconds ack_delay{20};

}  // namespace

struct term_client::impl : std::enable_shared_from_this<impl> {
  explicit impl(net::any_io_executor executor)
      : ws(executor), ack_timer(executor), wake(executor) {}

  struct out_frame {
    std::string data;
    bool text = false;
    bool close = false;  // a close frame (1000) instead of data
  };

  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  net::steady_timer ack_timer;
  net::steady_timer wake;  // cancelled after every frame, to resume wait()
  std::deque<out_frame> queue;
  bool writing = false;
  bool closing = false;  // a close frame is queued or sent: nothing more to send
  bool ack_timer_running = false;
  bool closed = false;
  std::uint64_t acked = 0;
  client_counters counters;
  std::vector<std::string> controls;
  output_handler on_output;
  std::string error;

  void send(std::string data, bool text, bool close = false) {
    if (closed || closing) return;
    closing = close;
    queue.push_back({std::move(data), text, close});
    if (writing) return;
    // One write in flight at a time (Beast's rule); the loop drains the queue.
    writing = true;
    net::co_spawn(ws.get_executor(), write_loop(shared_from_this()), net::detached);
  }

  static net::awaitable<void> write_loop(std::shared_ptr<impl> self) {
    while (!self->queue.empty() && !self->closed) {
      out_frame frame = std::move(self->queue.front());
      self->queue.pop_front();
      boost::system::error_code ec;
      if (frame.close) {
        co_await self->ws.async_close(websocket::close_code::normal,
                                      net::redirect_error(use_awaitable, ec));
        break;
      }
      self->ws.text(frame.text);
      co_await self->ws.async_write(net::buffer(frame.data),
                                    net::redirect_error(use_awaitable, ec));
      if (ec) {
        self->fail("write: " + ec.message());
        break;
      }
    }
    self->writing = false;
  }

  static net::awaitable<void> read_loop(std::shared_ptr<impl> self) {
    for (;;) {
      self->buffer.clear();
      boost::system::error_code ec;
      co_await self->ws.async_read(self->buffer, net::redirect_error(use_awaitable, ec));
      const auto at = bench_clock::now();
      if (ec) {
        self->fail(ec == websocket::error::closed ? std::string{} : "read: " + ec.message());
        co_return;
      }
      const auto data = self->buffer.cdata();
      const std::string_view bytes(static_cast<const char*>(data.data()), data.size());
      if (self->ws.got_text()) {
        ++self->counters.control_messages;
        self->controls.emplace_back(bytes);
      } else {
        self->counters.output_bytes += bytes.size();
        ++self->counters.output_messages;
        if (self->on_output) self->on_output(bytes, at);
        self->maybe_ack();
      }
      self->wake.cancel();
    }
  }

  void maybe_ack() {
    if (counters.output_bytes - acked >= ack_every_bytes) {
      send_ack();
    } else if (!ack_timer_running) {
      ack_timer_running = true;
      ack_timer.expires_after(ack_delay);
      ack_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        self->ack_timer_running = false;
        if (!ec) self->send_ack();
      });
    }
  }

  void send_ack() {
    if (counters.output_bytes == acked) return;
    acked = counters.output_bytes;
    ++counters.acks_sent;
    send(R"({"type":"ack","bytes":)" + std::to_string(acked) + "}", true);
  }

  void fail(std::string why) {
    if (closed) return;
    closed = true;
    error = std::move(why);
    ack_timer.cancel();
    wake.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(ws).socket().close(ignored);
  }
};

term_client::term_client(net::any_io_executor executor)
    : impl_(std::make_shared<impl>(std::move(executor))) {}

term_client::~term_client() {
  if (!impl_->closed) impl_->fail({});
}

net::awaitable<void> term_client::open(const server_address& server, std::uint16_t cols,
                                       std::uint16_t rows) {
  auto self = impl_;
  auto& tcp = beast::get_lowest_layer(self->ws);
  const net::ip::tcp::endpoint endpoint(net::ip::make_address_v4("127.0.0.1"), server.port);
  const std::string host = "127.0.0.1:" + std::to_string(server.port);
  tcp.expires_after(std::chrono::seconds(30));
  boost::system::error_code ec;
  co_await tcp.async_connect(endpoint, net::redirect_error(use_awaitable, ec));
  if (ec) throw std::runtime_error("connect to " + host + ": " + ec.message());
  // Browsers send keystrokes at once (Chromium sets TCP_NODELAY); so does the page's client.
  tcp.socket().set_option(net::ip::tcp::no_delay(true));
  tcp.expires_never();
  self->ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
  self->ws.set_option(websocket::stream_base::decorator(
      [token = server.token, origin = "http://" + host](websocket::request_type& req) {
        req.set(beast::http::field::authorization, "Bearer " + token);
        req.set(beast::http::field::origin, origin);
      }));
  websocket::response_type response;
  co_await self->ws.async_handshake(response, host, "/ws/terminal/",
                                    net::redirect_error(use_awaitable, ec));
  if (ec) {
    self->fail({});
    throw std::runtime_error("upgrade at " + host + "/ws/terminal/: " + ec.message() + " (HTTP " +
                             std::to_string(response.result_int()) + " " + response.body() + ")");
  }
  self->ws.binary(true);
  net::co_spawn(self->ws.get_executor(), impl::read_loop(self), net::detached);
  send_control(R"({"type":"resize","cols":)" + std::to_string(cols) + R"(,"rows":)" +
               std::to_string(rows) + "}");
}

void term_client::on_output(output_handler handler) { impl_->on_output = std::move(handler); }

void term_client::send_input(std::string bytes) { impl_->send(std::move(bytes), false); }

void term_client::send_control(std::string json) { impl_->send(std::move(json), true); }

net::awaitable<bool> term_client::wait(std::function<bool()> ready,
                                       std::chrono::milliseconds timeout) {
  auto self = impl_;
  const auto deadline = bench_clock::now() + timeout;
  while (!ready()) {
    if (self->closed || bench_clock::now() >= deadline) co_return ready();
    self->wake.expires_at(deadline);
    boost::system::error_code ec;
    co_await self->wake.async_wait(net::redirect_error(use_awaitable, ec));
  }
  co_return true;
}

void term_client::close() { impl_->send({}, false, true); }

const client_counters& term_client::counters() const noexcept { return impl_->counters; }

const std::vector<std::string>& term_client::controls() const noexcept { return impl_->controls; }

bool term_client::closed() const noexcept { return impl_->closed; }

const std::string& term_client::error() const noexcept { return impl_->error; }

}  // namespace vmterm::bench
