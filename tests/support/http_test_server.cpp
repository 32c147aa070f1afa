#include "http_test_server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "ports.hpp"

namespace vmterm::test {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using boost::system::error_code;

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<std::string> recorded_request::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequal(n, name)) return v;
  }
  return std::nullopt;
}

struct http_test_server::state {
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::uint16_t port = 0;
  std::thread thread;

  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::deque<scripted_response> script;
  scripted_response fallback{200, {{"Content-Type", "application/json"}}, "{}", {}, false};
  std::vector<recorded_request> requests;
  std::size_t connections = 0;

  scripted_response record(recorded_request r) {
    std::lock_guard lock(mutex);
    requests.push_back(std::move(r));
    changed.notify_all();
    if (script.empty()) return fallback;
    auto next = std::move(script.front());
    script.pop_front();
    return next;
  }
};

namespace {

/// One connection: read a request, answer it (after the scripted delay), repeat while alive.
class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket socket, http_test_server::state* st, std::size_t number)
      : stream_(std::move(socket)), timer_(stream_.get_executor()), state_(st), number_(number) {}

  void do_read() {
    request_ = {};
    bhttp::async_read(
        stream_, buffer_, request_,
        [self = shared_from_this()](error_code ec, std::size_t) { self->on_read(ec); });
  }

 private:
  void on_read(error_code ec) {
    if (ec) return;  // closed by the client, or the server is stopping
    recorded_request r;
    r.method = std::string(request_.method_string());
    r.target = std::string(request_.target());
    for (const auto& f : request_) r.headers.emplace_back(f.name_string(), f.value());
    r.body = request_.body();
    r.connection = number_;
    r.received = std::chrono::steady_clock::now();
    script_ = state_->record(std::move(r));
    timer_.expires_after(script_.delay);
    timer_.async_wait([self = shared_from_this()](error_code e) {
      if (!e) self->do_write();
    });
  }

  void do_write() {
    response_ = {};
    response_.version(11);
    response_.result(script_.status);
    for (const auto& [n, v] : script_.headers) response_.insert(n, v);
    response_.body() = script_.body;
    response_.keep_alive(!script_.close && request_.keep_alive());
    response_.prepare_payload();
    bhttp::async_write(stream_, response_, [self = shared_from_this()](error_code ec, std::size_t) {
      self->on_write(ec);
    });
  }

  void on_write(error_code ec) {
    if (ec) return;
    if (!response_.keep_alive()) {
      error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      return;
    }
    do_read();
  }

  beast::tcp_stream stream_;
  net::steady_timer timer_;
  http_test_server::state* state_;  ///< outlives every session: it owns the io_context
  std::size_t number_;
  beast::flat_buffer buffer_;
  bhttp::request<bhttp::string_body> request_;
  bhttp::response<bhttp::string_body> response_;
  scripted_response script_;
};

void do_accept(http_test_server::state* st) {
  st->acceptor.async_accept([st](error_code ec, tcp::socket socket) {
    if (ec) return;  // acceptor closed
    std::size_t number = 0;
    {
      std::lock_guard lock(st->mutex);
      number = ++st->connections;
    }
    std::make_shared<session>(std::move(socket), st, number)->do_read();
    do_accept(st);
  });
}

}  // namespace

http_test_server::http_test_server() : state_(std::make_shared<state>()) {
  for (int tries = 0;; ++tries) {
    const auto port = free_loopback_port();
    try {
      const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
      state_->acceptor.open(endpoint.protocol());
      state_->acceptor.set_option(net::socket_base::reuse_address(true));
      state_->acceptor.bind(endpoint);
      state_->acceptor.listen();
      state_->port = port;
      break;
    } catch (const boost::system::system_error&) {
      error_code ignored;
      state_->acceptor.close(ignored);
      if (tries == 10) throw std::runtime_error("http_test_server: no free loopback port");
    }
  }
  do_accept(state_.get());
  state_->thread = std::thread([st = state_.get()] { st->ioc.run(); });
}

http_test_server::~http_test_server() {
  state_->ioc.stop();
  if (state_->thread.joinable()) state_->thread.join();
}

std::uint16_t http_test_server::port() const noexcept { return state_->port; }

std::string http_test_server::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(state_->port) + std::string(path);
}

void http_test_server::push(scripted_response response) {
  std::lock_guard lock(state_->mutex);
  state_->script.push_back(std::move(response));
}

void http_test_server::set_fallback(scripted_response response) {
  std::lock_guard lock(state_->mutex);
  state_->fallback = std::move(response);
}

std::vector<recorded_request> http_test_server::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}

std::size_t http_test_server::connections() const {
  std::lock_guard lock(state_->mutex);
  return state_->connections;
}

bool http_test_server::wait_for_requests(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mutex);
  return state_->changed.wait_for(lock, timeout, [&] { return state_->requests.size() >= n; });
}

}  // namespace vmterm::test
