#include "redis/detail/link.hpp"

#include <fcntl.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/post.hpp>

#include "core/signals.hpp"
#include "redis/detail/backoff.hpp"

namespace vmterm::redis::detail {
namespace net = boost::asio;

namespace {

std::string lower_first(std::string_view words) {
  std::string w(words);
  if (!w.empty() && w[0] >= 'A' && w[0] <= 'Z' && !(w.size() > 1 && w[1] >= 'A' && w[1] <= 'Z')) {
    w[0] = static_cast<char>(w[0] - 'A' + 'a');
  }
  return w;
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace

link::link(net::any_io_executor executor, connection_options options)
    : executor_(std::move(executor)),
      options_(std::move(options)),
      who_("redis '" + options_.url.redacted() + "'"),
      metrics_(options_.metrics),
      sd_(executor_),
      deadline_(executor_),
      retry_(executor_),
      random_(std::random_device{}()) {}

link::~link() {
  free_context();
  metrics_.state_changed(state_, connection_state::idle);
}

void link::connect(connect_fn done) {
  if (done) {
    if (state_ == connection_state::closed) {
      net::post(executor_, [done = std::move(done), who = who_] {
        done(fail(std::errc::operation_canceled, who + ": the connection was closed"));
      });
      return;
    }
    if (ready()) {
      net::post(executor_, [done = std::move(done)] { done({}); });
      return;
    }
    connect_waiters_.push_back(std::move(done));
  }
  if (state_ == connection_state::idle) {
    set_state(connection_state::connecting);
    net::post(executor_, [self = shared_from_this()] {
      if (self->state_ == connection_state::connecting && self->ac_ == nullptr) {
        self->start_attempt();
      }
    });
  }
}

void link::start_attempt() {
  if (state_ == connection_state::closed) return;
  set_state(connection_state::connecting);
  if (attempted_) metrics_.reconnect_attempt();
  attempted_ = true;
  handshake_pending_ = 0;
  handshake_names_.clear();
  handshake_error_.reset();
  handshake_done_ = false;
  context_gone_ = false;
  connected_tcp_ = false;
  phase_ = "while connecting";
  const auto& u = options_.url;
  core::ignore_sigpipe();  // hiredis writes with write(2): a peer gone mid-write is EPIPE, not
                           // death
  redisAsyncContext* ac = u.unix_path.empty() ? redisAsyncConnect(u.host.c_str(), u.port)
                                              : redisAsyncConnectUnix(u.unix_path.c_str());
  if (ac == nullptr) {
    attempt_failed(error{make_error_code(std::errc::not_enough_memory),
                         who_ + ": cannot create a hiredis context"});
    return;
  }
  // hiredis 0.14 opens its socket without SOCK_CLOEXEC: mark it before anything can fork.
  if (ac->c.fd >= 0) ::fcntl(ac->c.fd, F_SETFD, FD_CLOEXEC);
  if (ac->err != 0) {
    const std::string words = ac->errstr;
    redisAsyncFree(ac);
    attempt_failed(failure_from_hiredis(words, true));
    return;
  }
  ++generation_;
  want_read_ = want_write_ = read_armed_ = write_armed_ = false;
  boost::system::error_code ec;
  sd_.assign(ac->c.fd, ec);
  if (ec) {
    redisAsyncFree(ac);
    attempt_failed(error{ec, who_ + ": cannot watch the socket: " + ec.message()});
    return;
  }
  ac->data = this;
  ac->ev.data = this;
  ac->ev.addRead = &link::hook_add_read;
  ac->ev.delRead = &link::hook_del_read;
  ac->ev.addWrite = &link::hook_add_write;
  ac->ev.delWrite = &link::hook_del_write;
  ac->ev.cleanup = &link::hook_cleanup;
  redisAsyncSetConnectCallback(ac, &link::cb_connect);
  redisAsyncSetDisconnectCallback(ac, &link::cb_disconnect);
  ac_ = ac;

  // The handshake, written in one go as soon as TCP connects. PING last: a connection is
  // ready only once the server has answered, so a listener that never speaks Redis times out.
  const auto handshake = [this](std::vector<std::string> args, std::string name) {
    argv_.clear();
    argl_.clear();
    for (const auto& a : args) {
      argv_.push_back(a.data());
      argl_.push_back(a.size());
    }
    if (redisAsyncCommandArgv(ac_, &link::cb_handshake, nullptr, static_cast<int>(args.size()),
                              argv_.data(), argl_.data()) == REDIS_OK) {
      handshake_names_.push_back(std::move(name));
      ++handshake_pending_;
    }
  };
  if (!u.password.empty()) {
    if (u.user.empty()) {
      handshake({"AUTH", u.password}, "AUTH");
    } else {
      handshake({"AUTH", u.user, u.password}, "AUTH");
    }
  }
  if (u.db != 0) handshake({"SELECT", std::to_string(u.db)}, "SELECT " + std::to_string(u.db));
  if (!options_.client_name.empty()) {
    handshake({"CLIENT", "SETNAME", options_.client_name}, "CLIENT SETNAME");
  }
  handshake({"PING"}, "PING");
  if (early_sending()) on_connecting();

  deadline_.expires_after(options_.connect_timeout);
  deadline_.async_wait([self = shared_from_this(), gen = generation_](boost::system::error_code e) {
    if (e || gen != self->generation_ || self->state_ != connection_state::connecting) return;
    const auto ms = std::to_string(self->options_.connect_timeout.count());
    std::string message = self->who_ + ": timed out after " + ms + " ms " + self->phase_;
    message += self->connected_tcp_
                   ? "; is a Redis server listening there?"
                   : "; check that Redis runs at that address and is reachable, or allow a "
                     "longer connect timeout";
    self->free_context();
    self->attempt_failed(error{make_error_code(std::errc::timed_out), std::move(message)});
  });
}

error link::failure_from_hiredis(std::string_view words, bool connecting) const {
  const std::string w = lower_first(words);
  if (!connecting) {
    return error{make_error_code(std::errc::connection_aborted),
                 who_ + ": connection lost (" + (w.empty() ? "closed" : w) + ")"};
  }
  if (contains(words, "refused")) {
    return error{make_error_code(std::errc::connection_refused),
                 who_ + ": connection refused; start redis-server or fix the URL"};
  }
  if (contains(words, "No such file")) {
    return error{make_error_code(std::errc::connection_refused),
                 who_ + ": no such socket (" + w + "); start redis-server or fix the URL"};
  }
  if (contains(words, "Name or service") || contains(words, "name resolution") ||
      contains(words, "nodename")) {
    return error{make_error_code(std::errc::host_unreachable),
                 who_ + ": cannot resolve host '" + options_.url.host + "' (" + w +
                     "); check the host name in the URL"};
  }
  return error{make_error_code(std::errc::not_connected),
               who_ + ": cannot connect (" + (w.empty() ? "closed" : w) + ")"};
}

void link::on_handshake_reply(redisReply* r) {
  const std::size_t index = handshake_names_.size() - static_cast<std::size_t>(handshake_pending_);
  --handshake_pending_;
  const std::string& name = handshake_names_[index];
  if (r->type == REDIS_REPLY_ERROR && !handshake_error_) {
    const std::string words(r->str, r->len);
    if (name == "AUTH") {
      handshake_error_ =
          error{make_error_code(std::errc::permission_denied),
                who_ + ": AUTH refused (" + words + "); check the user and password in the URL"};
    } else if (words.starts_with("NOAUTH")) {
      handshake_error_ = error{make_error_code(std::errc::permission_denied),
                               who_ + ": the server requires a password (" + words +
                                   "); put it in the URL: redis://[user:]password@host:port/db"};
    } else if (name.starts_with("SELECT")) {
      handshake_error_ = error{make_error_code(std::errc::invalid_argument),
                               who_ + ": " + name + " refused (" + words +
                                   "); use a db index the server has (databases in redis.conf)"};
    } else {
      handshake_error_ = error{make_error_code(std::errc::protocol_error),
                               who_ + ": " + name + " refused (" + words + ")"};
    }
  } else if (handshake_pending_ > 0) {
    phase_ = "waiting for an answer to " + handshake_names_[index + 1];
  }
  if (handshake_pending_ == 0) handshake_done_ = true;
}

void link::after_hiredis() {
  auto keep = shared_from_this();  // a callback below may drop the owner's last reference
  after_io();
  if (state_ == connection_state::closed) return;
  if (context_gone_) {
    context_gone_ = false;
    if (state_ == connection_state::connecting) {
      // A refused handshake explains more than the disconnect that followed it (hiredis drops
      // a context on an error reply to a SUBSCRIBE sent behind the handshake).
      auto why =
          handshake_error_ ? std::move(*handshake_error_) : failure_from_hiredis(gone_words_, true);
      handshake_error_.reset();
      attempt_failed(std::move(why));
    } else {
      lost(failure_from_hiredis(gone_words_, false));
    }
    return;
  }
  if (handshake_done_ && state_ == connection_state::connecting) {
    handshake_done_ = false;
    if (handshake_error_) {
      auto e = std::move(*handshake_error_);
      handshake_error_.reset();
      free_context();
      attempt_failed(std::move(e));
      return;
    }
    became_ready();
    if (state_ == connection_state::closed) return;
    after_io();  // on_ready may have completed something (nothing in flight failed yet)
  }
  rearm();
}

void link::became_ready() {
  deadline_.cancel();
  failures_ = 0;
  ever_connected_ = true;
  last_failure_.clear();
  set_state(connection_state::ready);
  notify_connect({});
  on_ready();
}

void link::attempt_failed(error why) {
  deadline_.cancel();
  last_failure_ = why.message;
  ++failures_;
  notify_connect(tl::unexpected(why));
  if (state_ == connection_state::closed) return;
  if (options_.reconnect) {
    schedule_retry();
  } else {
    set_state(connection_state::idle);
  }
  on_attempt_failed(why);
}

void link::lost(error why) {
  free_context();
  last_failure_ = why.message;
  set_state(options_.reconnect ? connection_state::backoff : connection_state::idle);
  on_lost(why);
  if (options_.reconnect && state_ == connection_state::backoff) schedule_retry();
}

void link::drop(const error& why) {
  if (ac_ == nullptr || state_ != connection_state::ready) return;
  lost(why);
}

void link::schedule_retry() {
  set_state(connection_state::backoff);
  const auto delay = backoff_delay(failures_ == 0 ? 0 : failures_ - 1, options_.reconnect_min,
                                   options_.reconnect_max, random_());
  retry_.expires_after(delay);
  retry_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->state_ != connection_state::backoff) return;
    self->start_attempt();
  });
}

void link::shutdown(const error& why) noexcept {
  if (state_ == connection_state::closed) return;
  try {
    set_state(connection_state::closed);
    deadline_.cancel();
    retry_.cancel();
    free_context();
    notify_connect(tl::unexpected(why));
    on_lost(why);
  } catch (...) {  // close() must not throw; a failed post leaves nothing to clean up
  }
}

void link::set_state(connection_state s) {
  if (s == state_) return;
  metrics_.state_changed(state_, s);
  state_ = s;
  if (on_state_) on_state_(s);
}

void link::free_context() noexcept {
  if (ac_ != nullptr) {
    redisAsyncContext* ac = ac_;
    ac_ = nullptr;
    ac->data = nullptr;  // hiredis's callbacks during the free below are ignored
    redisAsyncFree(ac);  // never inside a hiredis callback: only called outside them
  }
  if (sd_.is_open()) (void)sd_.release();  // hiredis closed (or will close) the fd itself
  ++generation_;
  want_read_ = want_write_ = read_armed_ = write_armed_ = false;
  connected_tcp_ = false;
}

void link::notify_connect(const expected<void>& result) {
  auto waiters = std::move(connect_waiters_);
  connect_waiters_.clear();
  for (auto& w : waiters) {
    net::post(executor_, [w = std::move(w), result] { w(result); });
  }
}

bool link::send(const std::vector<std::string>& args, bool subscription) {
  if (ac_ == nullptr) return false;
  argv_.clear();
  argl_.clear();
  for (const auto& a : args) {
    argv_.push_back(a.data());
    argl_.push_back(a.size());
  }
  return redisAsyncCommandArgv(ac_, subscription ? &link::cb_push : &link::cb_reply, nullptr,
                               static_cast<int>(args.size()), argv_.data(),
                               argl_.data()) == REDIS_OK;
}

// ---- Asio side of the event hooks ----

void link::arm_read() {
  if (read_armed_ || ac_ == nullptr || !sd_.is_open()) return;
  read_armed_ = true;
  sd_.async_wait(net::posix::stream_descriptor::wait_read,
                 [self = shared_from_this(), gen = generation_](boost::system::error_code ec) {
                   if (gen != self->generation_) return;
                   self->read_armed_ = false;
                   if (ec || self->ac_ == nullptr) return;
                   self->handle_read();
                 });
}

void link::arm_write(bool speculative) {
  if (write_armed_ || ac_ == nullptr || !sd_.is_open()) return;
  write_armed_ = true;
  auto on_ready = [self = shared_from_this(), gen = generation_](boost::system::error_code ec) {
    if (gen != self->generation_) return;
    self->write_armed_ = false;
    if (ec || self->ac_ == nullptr) return;
    self->handle_write();
  };
  if (speculative) {
    // Connected: the socket is almost always writable, so try the write on the next turn of
    // the loop (batching every command issued until then) instead of a round through epoll.
    // If it cannot all go out, hiredis asks again and the wait below is used.
    net::post(executor_, [h = std::move(on_ready)]() mutable { h({}); });
  } else {
    sd_.async_wait(net::posix::stream_descriptor::wait_write, std::move(on_ready));
  }
}

void link::handle_read() {
  if (want_read_) {
    in_hiredis_ = true;
    redisAsyncHandleRead(ac_);
    in_hiredis_ = false;
  }
  after_hiredis();
}

void link::handle_write() {
  if (want_write_) {
    in_hiredis_ = true;
    redisAsyncHandleWrite(ac_);
    in_hiredis_ = false;
  }
  after_hiredis();
}

void link::rearm() {
  if (ac_ == nullptr) return;
  if (want_read_) arm_read();
  if (want_write_) arm_write(false);
}

void link::hook_add_read(void* p) {
  auto* l = static_cast<link*>(p);
  l->want_read_ = true;
  if (!l->in_hiredis_) l->arm_read();
}

void link::hook_del_read(void* p) { static_cast<link*>(p)->want_read_ = false; }

void link::hook_add_write(void* p) {
  auto* l = static_cast<link*>(p);
  l->want_write_ = true;
  if (!l->in_hiredis_) {
    l->arm_write(l->ac_ != nullptr && (l->ac_->c.flags & REDIS_CONNECTED) != 0);
  }
}

void link::hook_del_write(void* p) { static_cast<link*>(p)->want_write_ = false; }

void link::hook_cleanup(void* p) {
  auto* l = static_cast<link*>(p);
  l->want_read_ = l->want_write_ = false;
  if (l->sd_.is_open()) (void)l->sd_.release();  // hiredis closes the fd: the descriptor must not
  ++l->generation_;
}

// ---- hiredis's callbacks: record only ----

void link::cb_connect(const redisAsyncContext* ac, int status) {
  auto* l = static_cast<link*>(ac->data);
  if (l == nullptr) return;
  if (status == REDIS_OK) {
    l->connected_tcp_ = true;
    if (!l->handshake_names_.empty()) {
      l->phase_ = "waiting for an answer to " + l->handshake_names_.front();
    }
    return;
  }
  // hiredis frees the context right after this callback returns.
  l->context_gone_ = true;
  l->gone_words_ = ac->errstr;
  l->ac_ = nullptr;
}

void link::cb_disconnect(const redisAsyncContext* ac, int status) {
  auto* l = static_cast<link*>(ac->data);
  if (l == nullptr) return;
  l->context_gone_ = true;
  l->gone_words_ = status == REDIS_OK ? std::string() : std::string(ac->errstr);
  l->ac_ = nullptr;  // hiredis frees it after this callback
}

void link::cb_reply(redisAsyncContext* ac, void* r, void* /*privdata*/) {
  auto* l = static_cast<link*>(ac->data);
  if (l == nullptr || r == nullptr) return;  // null: the context is being freed
  l->on_reply(static_cast<redisReply*>(r));
}

void link::cb_push(redisAsyncContext* ac, void* r, void* /*privdata*/) {
  auto* l = static_cast<link*>(ac->data);
  if (l == nullptr || r == nullptr) return;
  l->on_push(static_cast<redisReply*>(r));
}

void link::cb_handshake(redisAsyncContext* ac, void* r, void* /*privdata*/) {
  auto* l = static_cast<link*>(ac->data);
  if (l == nullptr || r == nullptr) return;
  l->on_handshake_reply(static_cast<redisReply*>(r));
}

}  // namespace vmterm::redis::detail
