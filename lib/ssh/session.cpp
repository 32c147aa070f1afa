#include "ssh/detail/session.hpp"

#include <libssh2.h>
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <cerrno>
#include <mutex>

#include "asio/cloexec.hpp"
#include "ssh/host_key.hpp"
#include "ssh/known_hosts.hpp"
#include "trace/provider.hpp"
#include "trace/semconv.hpp"

namespace vmterm::ssh {
namespace net = boost::asio;
using tcp = net::ip::tcp;

static_assert(would_block == LIBSSH2_ERROR_EAGAIN);
static_assert(blocked_inbound == LIBSSH2_SESSION_BLOCK_INBOUND);
static_assert(blocked_outbound == LIBSSH2_SESSION_BLOCK_OUTBOUND);

namespace {

void global_init() {
  static std::once_flag once;
  // Without libssh2's crypto set-up: for OpenSSL >= 1.1 it only loads and registers every
  // built-in ENGINE (and reads openssl.cnf), which no SSH algorithm here uses; OpenSSL
  // initialises itself on first use. That set-up was ~1 MiB of a probe's resident memory.
  std::call_once(once, [] { libssh2_init(LIBSSH2_INIT_NO_CRYPTO); });
}

}  // namespace

std::shared_ptr<session> session::create(net::any_io_executor executor, ssh_options options) {
  global_init();
  return std::shared_ptr<session>(new session(std::move(executor), std::move(options)));
}

session::session(net::any_io_executor executor, ssh_options options)
    : options_(std::move(options)),
      tracer_(options_.tracer ? *options_.tracer : trace::get_tracer("vmterm.ssh")),
      metrics_(options_.registry),
      who_("ssh '" + to_string(options_.target) + "': "),
      resolver_(executor),
      socket_(executor),
      deadline_(executor) {
  if (options_.known_hosts.empty()) options_.known_hosts = default_known_hosts_file();
  handle_ = libssh2_session_init_ex(nullptr, nullptr, nullptr, this);
  if (handle_ == nullptr) return;
  libssh2_session_set_blocking(handle_, 0);
  using recv_fn = ssize_t (*)(libssh2_socket_t, void*, std::size_t, int, void**);
  const recv_fn recv = &session::counting_recv;
  libssh2_session_callback_set(handle_, LIBSSH2_CALLBACK_RECV, reinterpret_cast<void*>(recv));
}

// libssh2's own recv, counting: errors as -errno, as libssh2 expects of its callbacks.
long session::counting_recv(int socket, void* buffer, std::size_t length, int flags,
                            void** abstract) noexcept {
  const ssize_t n = ::recv(socket, buffer, length, flags);
  if (n < 0) return -errno;
  static_cast<session*>(*abstract)->bytes_in_ += static_cast<std::uint64_t>(n);
  return n;
}

session::~session() {
  if (handle_ == nullptr) return;
  shutdown();  // from here every libssh2 call fails at once instead of waiting
  // Non-blocking free may report EAGAIN while it closes channels; with the socket shut down
  // that ends after a few rounds. Leak rather than spin if it never does.
  for (int i = 0; i < 8; ++i) {
    if (libssh2_session_free(handle_) != LIBSSH2_ERROR_EAGAIN) break;
  }
}

std::string session::last_error() const {
  if (handle_ == nullptr) return "libssh2 session could not be created";
  char* msg = nullptr;
  int len = 0;
  libssh2_session_last_error(handle_, &msg, &len, 0);
  return msg != nullptr && len > 0 ? std::string(msg, static_cast<std::size_t>(len)) : "";
}

error session::failure(errc code, std::string_view what) const {
  if (aborted_) {
    return error{make_error_code(errc::cancelled), who_ + "closed while " + phase_};
  }
  if (timed_out_) {
    return error{make_error_code(errc::timeout),
                 who_ + "timed out after " + std::to_string(options_.timeout.count()) +
                     " ms while " + phase_ +
                     "; check that the host is up, that its firewall (EC2: security group) "
                     "lets port " +
                     std::to_string(options_.target.port) + " in from here, or " +
                     options_.advice.timeout};
  }
  std::string words = last_error();
  std::string message = who_ + std::string(what);
  if (!words.empty()) message += ": " + words;
  return error{make_error_code(code), std::move(message)};
}

trace::span session::start_span(std::string_view name, const trace::context& parent) const {
  auto s = tracer_.start_span(name, parent, trace::span_kind::client);
  s.set_attribute(trace::semconv::server_address, options_.target.host);
  s.set_attribute(trace::semconv::server_port, options_.target.port);
  if (!peer_address_.empty()) s.set_attribute(trace::semconv::network_peer_address, peer_address_);
  return s;
}

void session::end_span(trace::span& s, const expected<void>& result) noexcept {
  if (!result) {
    s.set_attribute(trace::semconv::error_type, reason_name(result.error().code));
    s.set_status(trace::status_code::error, result.error().message);
  }
  s.end();
}

void session::shutdown() noexcept {
  if (!socket_.is_open()) return;
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
}

void session::disconnect() noexcept {
  if (handle_ != nullptr && socket_.is_open()) {
    libssh2_session_disconnect(handle_, "closed by vmterm");  // EAGAIN: not worth waiting for
  }
  shutdown();
}

void session::cancel_deadline() noexcept { deadline_.cancel(); }

void session::abort() noexcept {
  aborted_ = true;
  deadline_.cancel();
  interrupt();
}

void session::interrupt() noexcept {
  resolver_.cancel();
  boost::system::error_code ignored;
  if (peer_address_.empty()) {
    socket_.close(ignored);  // aborts a TCP connect; libssh2 has not seen the fd yet
  } else {
    shutdown();  // libssh2 holds the fd number: never close it under libssh2
    socket_.cancel(ignored);
  }
}

void session::async_run(std::function<int()> op, std::function<void(int)> done) {
  const int rc = op();
  if (rc != LIBSSH2_ERROR_EAGAIN) {
    done(rc);
    return;
  }
  async_wait_socket([self = shared_from_this(), op = std::move(op),
                     done = std::move(done)](boost::system::error_code ec) mutable {
    if (ec) {
      done(LIBSSH2_ERROR_SOCKET_RECV);
      return;
    }
    self->async_run(std::move(op), std::move(done));
  });
}

int session::blocked_directions() const noexcept {
  return handle_ != nullptr ? libssh2_session_block_directions(handle_) : 0;
}

void session::async_wait(bool inbound, std::function<void(boost::system::error_code)> then) {
  socket_.async_wait(inbound ? tcp::socket::wait_read : tcp::socket::wait_write,
                     [then = std::move(then)](boost::system::error_code ec) { then(ec); });
}

void session::configure_keepalive(std::chrono::seconds interval) noexcept {
  if (handle_ == nullptr) return;
  libssh2_keepalive_config(handle_, 1, static_cast<unsigned>(interval.count()));
}

int session::send_keepalive(std::chrono::seconds& next) noexcept {
  if (handle_ == nullptr) return LIBSSH2_ERROR_SOCKET_SEND;
  int seconds = 0;
  const int rc = libssh2_keepalive_send(handle_, &seconds);
  if (rc == 0) next = std::chrono::seconds(seconds);
  return rc;
}

void session::async_wait_socket(std::function<void(boost::system::error_code)> then) {
  int dirs = libssh2_session_block_directions(handle_);
  if (dirs == 0) dirs = LIBSSH2_SESSION_BLOCK_INBOUND;
  const bool both =
      (dirs & LIBSSH2_SESSION_BLOCK_INBOUND) != 0 && (dirs & LIBSSH2_SESSION_BLOCK_OUTBOUND) != 0;
  // With both directions, the first ready one wins and cancels the other wait.
  auto fired = std::make_shared<bool>(false);
  auto shared_then =
      std::make_shared<std::function<void(boost::system::error_code)>>(std::move(then));
  auto on_ready = [self = shared_from_this(), fired, shared_then,
                   both](boost::system::error_code ec) {
    if (*fired) return;
    *fired = true;
    if (both) {
      boost::system::error_code ignored;
      self->socket_.cancel(ignored);
    }
    (*shared_then)(ec);
  };
  if ((dirs & LIBSSH2_SESSION_BLOCK_INBOUND) != 0) {
    socket_.async_wait(tcp::socket::wait_read, on_ready);
  }
  if ((dirs & LIBSSH2_SESSION_BLOCK_OUTBOUND) != 0) {
    socket_.async_wait(tcp::socket::wait_write, on_ready);
  }
}

void session::async_connect(trace::context parent, new_key_policy policy, done_fn done) {
  parent_ = std::move(parent);
  policy_ = policy;
  connect_done_ = std::move(done);
  metrics_.connect_started();
  if (handle_ == nullptr) {
    finish_connect(tl::unexpected(failure(errc::protocol, "cannot create an SSH session")));
    return;
  }
  deadline_.expires_after(options_.timeout);
  deadline_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec) return;
    self->timed_out_ = true;
    self->interrupt();
  });
  span_ = start_span("ssh.connect", parent_);
  phase_ = "resolving " + options_.target.host;
  const auto family = options_.family;
  const auto port = std::to_string(options_.target.port);
  // An IP literal of the family asked for needs no resolver (Asio's asynchronous resolver
  // starts a thread of its own).
  boost::system::error_code not_literal;
  const auto literal = net::ip::make_address(options_.target.host, not_literal);
  if (!not_literal && (family == ssh_options::ip_family::any ||
                       literal.is_v4() == (family == ssh_options::ip_family::v4))) {
    auto r = tcp::resolver::results_type::create(tcp::endpoint(literal, options_.target.port),
                                                 options_.target.host, port);
    net::post(socket_.get_executor(), [self = shared_from_this(), r = std::move(r)]() mutable {
      self->on_resolved({}, std::move(r));
    });
    return;
  }
  auto resolved = [self = shared_from_this()](boost::system::error_code ec,
                                              tcp::resolver::results_type r) {
    self->on_resolved(ec, std::move(r));
  };
  if (family == ssh_options::ip_family::any) {
    resolver_.async_resolve(options_.target.host, port, std::move(resolved));
  } else {
    // Flags 0: no v4-mapped IPv6 answers for -6, only the family asked for.
    resolver_.async_resolve(family == ssh_options::ip_family::v4 ? tcp::v4() : tcp::v6(),
                            options_.target.host, port, tcp::resolver::flags(),
                            std::move(resolved));
  }
}

void session::on_resolved(boost::system::error_code ec, tcp::resolver::results_type r) {
  if (ec) {
    auto e = failure(errc::dns, "cannot resolve host '" + options_.target.host +
                                    "': " + ec.message() + "; check the host name");
    end_span(span_, tl::unexpected(e));
    finish_connect(tl::unexpected(std::move(e)));
    return;
  }
  phase_ = "connecting";
  // Not Asio's range connect: its sockets would not be close-on-exec.
  asio::async_connect_cloexec(
      socket_, std::move(r),
      [self = shared_from_this()](boost::system::error_code cec, const tcp::endpoint&) {
        self->on_connected(cec);
      });
}

void session::on_connected(boost::system::error_code ec) {
  if (ec) {
    auto e = failure(errc::refused, "cannot connect to port " +
                                        std::to_string(options_.target.port) + ": " + ec.message());
    end_span(span_, tl::unexpected(e));
    finish_connect(tl::unexpected(std::move(e)));
    return;
  }
  boost::system::error_code ignored;
  const auto peer = socket_.remote_endpoint(ignored);
  peer_address_ = peer.address().to_string();
  span_.set_attribute(trace::semconv::network_peer_address, peer_address_);
  span_.set_attribute(trace::semconv::network_peer_port, peer.port());
  span_.end();
  socket_.set_option(tcp::no_delay(true), ignored);
  socket_.non_blocking(true, ignored);
  span_ = start_span("ssh.handshake", parent_);
  phase_ = "in the SSH handshake";
  const auto fd = socket_.native_handle();
  async_run(
      [self = shared_from_this(), fd] { return libssh2_session_handshake(self->handle_, fd); },
      [self = shared_from_this()](int rc) { self->on_handshake(rc); });
}

void session::on_handshake(int rc) {
  expected<void> result;
  if (rc != 0) {
    result = tl::unexpected(failure(errc::protocol, "SSH handshake failed"));
  } else {
    std::size_t len = 0;
    int type = 0;
    const char* blob = libssh2_session_hostkey(handle_, &len, &type);
    const auto key = blob != nullptr ? host_key_from_blob({blob, len}) : std::nullopt;
    if (!key) {
      result = tl::unexpected(failure(errc::protocol, "the server sent no usable host key"));
    } else {
      span_.set_attribute("ssh.host_key.type", key->type);
      result = verify_host_key(options_.target, options_.known_hosts, *key, policy_,
                               options_.advice.trust_new_key);
    }
  }
  end_span(span_, result);
  finish_connect(std::move(result));
}

void session::finish_connect(expected<void> result) {
  if (!result) {
    metrics_.failed(result.error().code);
    deadline_.cancel();
  }
  auto done = std::move(connect_done_);
  connect_done_ = nullptr;
  if (done) done(std::move(result));
}

}  // namespace vmterm::ssh
