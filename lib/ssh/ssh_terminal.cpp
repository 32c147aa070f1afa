#include "ssh/ssh_terminal.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <string>
#include <vector>

#include "ssh/detail/channel.hpp"
#include "ssh/detail/session.hpp"
#include "trace/context.hpp"

namespace vmterm::ssh {
namespace net = boost::asio;

namespace {
enum class phase { idle, connecting, running, closing, done };
constexpr std::size_t chunk_size = 64 << 10;
/// Chunks delivered per turn before yielding the executor to other sessions.
constexpr int chunks_per_turn = 16;
constexpr std::size_t max_pending_input = 4 << 20;
constexpr auto close_grace = std::chrono::seconds(3);
/// Keepalive intervals without a byte from the server before the connection counts as lost
/// (OpenSSH's ServerAliveCountMax default).
constexpr int keepalive_misses = 3;
}  // namespace

struct ssh_terminal::impl {
  impl(net::any_io_executor ex, ssh_options o)
      : executor(ex), options(std::move(o)), keepalive_timer(ex), close_timer(ex) {}

  net::any_io_executor executor;
  ssh_options options;
  std::shared_ptr<session> s;
  ssh::channel channel;  // freed with the session
  term::terminal_handlers handlers;
  std::function<void()> ready;
  term::term_size size;
  phase state = phase::idle;
  trace::context parent;
  trace::span channel_span;
  std::chrono::steady_clock::time_point started;
  std::chrono::nanoseconds connect_time{0};
  net::steady_timer keepalive_timer;
  net::steady_timer close_timer;
  bool paused = false;
  bool pump_posted = false;
  bool waiting_read = false;
  bool waiting_write = false;
  bool resize_pending = false;
  bool keepalive_due = false;
  /// When bytes from the server were last seen (at a keepalive tick): a server silent for
  /// keepalive_misses intervals, keepalive replies included, is gone.
  std::chrono::steady_clock::time_point last_inbound;
  std::uint64_t bytes_seen = 0;
  bool close_requested = false;
  bool session_counted = false;
  bool channel_setup = false;  // past auth: failures are counted here, not by the session
  bool exit_reported = false;
  std::deque<std::string> input;
  std::size_t input_offset = 0;  // bytes of input.front() already written
  std::size_t pending_input = 0;
  std::vector<char> buffer = std::vector<char>(chunk_size);
};

std::shared_ptr<ssh_terminal> ssh_terminal::create(net::any_io_executor executor,
                                                   ssh_options options) {
  return std::shared_ptr<ssh_terminal>(
      new ssh_terminal(std::make_unique<impl>(std::move(executor), std::move(options))));
}

ssh_terminal::ssh_terminal(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

ssh_terminal::~ssh_terminal() {
  if (impl_->s) impl_->s->shutdown();
}

void ssh_terminal::on_ready(std::function<void()> ready) { impl_->ready = std::move(ready); }

std::chrono::nanoseconds ssh_terminal::connect_duration() const noexcept {
  return impl_->connect_time;
}

expected<void> ssh_terminal::start(term::term_size size, term::terminal_handlers handlers) {
  auto& d = *impl_;
  if (d.state != phase::idle) {
    return fail(std::errc::operation_in_progress, "start ssh terminal: already started");
  }
  d.handlers = std::move(handlers);
  d.size = size;
  d.parent = trace::current_context();
  d.state = phase::connecting;
  d.started = std::chrono::steady_clock::now();
  d.s = session::create(d.executor, d.options);
  const auto policy =
      d.options.accept_new_host_key ? new_key_policy::accept : new_key_policy::refuse;
  d.s->async_connect(d.parent, policy, [self = shared_from_this()](expected<void> r) {
    self->on_connected(std::move(r));
  });
  return {};
}

void ssh_terminal::on_connected(expected<void> r) {
  if (!r) return fail_session(std::move(r.error()));
  impl_->s->async_authenticate(impl_->parent, [self = shared_from_this()](expected<void> a) {
    self->on_authenticated(std::move(a));
  });
}

void ssh_terminal::on_authenticated(expected<void> r) {
  if (!r) return fail_session(std::move(r.error()));
  open_channel();
}

void ssh_terminal::open_channel() {
  auto& d = *impl_;
  d.channel_setup = true;
  d.channel_span = d.s->start_span("ssh.channel", d.parent);
  d.s->set_phase("opening the channel");
  d.s->async_run(
      [self = shared_from_this()] {
        auto& i = *self->impl_;
        return i.channel.open(*i.s);
      },
      [self = shared_from_this()](int rc) {
        if (rc != 0) {
          return self->fail_session(
              self->impl_->s->failure(errc::protocol, "cannot open a channel"));
        }
        self->setup_channel();
      });
}

void ssh_terminal::setup_channel() {
  // PTY at the start size, then the shell (or the command).
  auto& d = *impl_;
  d.s->async_run(
      [self = shared_from_this()] {
        auto& i = *self->impl_;
        return i.channel.request_pty(i.options.term, i.size);
      },
      [self = shared_from_this()](int rc) {
        auto& i = *self->impl_;
        if (rc != 0)
          return self->fail_session(i.s->failure(errc::protocol, "the server refused a PTY"));
        i.s->async_run(
            [self] {
              auto& j = *self->impl_;
              return j.channel.start(j.options.command);
            },
            [self](int rc2) { self->on_shell(rc2); });
      });
}

void ssh_terminal::on_shell(int rc) {
  auto& d = *impl_;
  if (rc != 0)
    return fail_session(d.s->failure(errc::protocol, "the server refused to start the shell"));
  d.s->cancel_deadline();
  session::end_span(d.channel_span, {});
  d.connect_time = std::chrono::steady_clock::now() - d.started;
  d.s->metrics().connected(std::chrono::duration<double>(d.connect_time).count());
  d.session_counted = true;
  if (d.close_requested) {
    begin_close();
    return;
  }
  d.state = phase::running;
  d.last_inbound = std::chrono::steady_clock::now();
  if (d.options.keepalive.count() > 0) {
    d.s->configure_keepalive(d.options.keepalive);
    schedule_keepalive(d.options.keepalive);
  }
  if (d.ready) d.ready();
  pump();
}

// The running session: one pass writes queued input, sends a pending window change or
// keepalive, and reads output until libssh2 would block; then it waits on the socket in the
// directions libssh2 was blocked on.
void ssh_terminal::pump() {
  auto& d = *impl_;
  if (d.state != phase::running) return;
  auto self = shared_from_this();  // a handler may drop the last other reference
  int blocked = 0;
  // A window change before the input typed after it, as the user did them.
  if (d.resize_pending) {
    const int rc = d.channel.resize(d.size);
    if (rc == would_block) {
      blocked |= d.s->blocked_directions();
    } else {
      d.resize_pending = false;  // a refused window change is not worth ending the session
    }
  }
  if (!flush_input(blocked)) return;
  if (d.keepalive_due) {
    std::chrono::seconds next{0};
    const int rc = d.s->send_keepalive(next);
    if (rc == would_block) {
      blocked |= d.s->blocked_directions();
    } else if (rc != 0) {
      return fail_session(d.s->failure(errc::connection_lost, "connection lost"));
    } else {
      d.keepalive_due = false;
      schedule_keepalive(next.count() > 0 ? next : d.options.keepalive);
    }
  }
  bool yielded = false;
  if (!read_output(blocked, yielded)) return;
  if (yielded) {
    schedule_pump();
  } else if (blocked != 0) {
    arm_waits(blocked);
  }
}

bool ssh_terminal::flush_input(int& blocked) {
  auto& d = *impl_;
  while (!d.input.empty()) {
    const auto& front = d.input.front();
    const auto n = d.channel.write(std::string_view(front).substr(d.input_offset));
    if (n == would_block) {
      blocked |= d.s->blocked_directions();
      return true;
    }
    if (n < 0) {
      fail_session(d.s->failure(errc::connection_lost, "connection lost"));
      return false;
    }
    d.input_offset += static_cast<std::size_t>(n);
    if (d.input_offset == front.size()) {
      d.pending_input -= front.size();
      d.input.pop_front();
      d.input_offset = 0;
    }
  }
  return true;
}

bool ssh_terminal::read_output(int& blocked, bool& yielded) {
  auto& d = *impl_;
  for (int chunks = 0; !d.paused && d.state == phase::running; ++chunks) {
    if (chunks == chunks_per_turn) {
      yielded = true;
      return true;
    }
    // Coalesce what libssh2 has into one chunk, so a fast producer goes out in large pieces.
    std::size_t n = 0;
    std::ptrdiff_t rc = 0;
    while (n < d.buffer.size()) {
      rc = d.channel.read(d.buffer.data() + n, d.buffer.size() - n);
      if (rc <= 0) break;
      n += static_cast<std::size_t>(rc);
    }
    if (n > 0 && d.handlers.on_output) d.handlers.on_output({d.buffer.data(), n});
    if (d.state != phase::running) return false;  // closed from the handler
    if (n == d.buffer.size()) continue;
    if (rc == would_block || (rc == 0 && !d.channel.eof())) {
      blocked |= d.s->blocked_directions() | blocked_inbound;
      return true;
    }
    if (rc < 0) {
      fail_session(d.s->failure(errc::connection_lost, "connection lost"));
      return false;
    }
    begin_close();  // the remote side sent EOF: collect the exit status
    return false;
  }
  return true;
}

void ssh_terminal::arm_waits(int dirs) {
  auto& d = *impl_;
  auto on_ready = [self = shared_from_this()](bool read, boost::system::error_code ec) {
    auto& i = *self->impl_;
    (read ? i.waiting_read : i.waiting_write) = false;
    if (ec == net::error::operation_aborted || i.state != phase::running) return;
    if (ec)
      return self->fail_session(
          i.s->failure(errc::connection_lost, "connection lost: " + ec.message()));
    self->pump();
  };
  if ((dirs & blocked_inbound) != 0 && !d.waiting_read) {
    d.waiting_read = true;
    d.s->async_wait(true, [on_ready](boost::system::error_code ec) { on_ready(true, ec); });
  }
  if ((dirs & blocked_outbound) != 0 && !d.waiting_write) {
    d.waiting_write = true;
    d.s->async_wait(false, [on_ready](boost::system::error_code ec) { on_ready(false, ec); });
  }
}

void ssh_terminal::schedule_pump() {
  auto& d = *impl_;
  if (d.pump_posted || d.state != phase::running) return;
  d.pump_posted = true;
  net::post(d.executor, [self = shared_from_this()] {
    self->impl_->pump_posted = false;
    self->pump();
  });
}

void ssh_terminal::schedule_keepalive(std::chrono::seconds in) {
  auto& d = *impl_;
  d.keepalive_timer.expires_after(in);
  d.keepalive_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec) return;
    auto& i = *self->impl_;
    const auto now = std::chrono::steady_clock::now();
    if (i.s->bytes_received() != i.bytes_seen) {
      i.bytes_seen = i.s->bytes_received();
      i.last_inbound = now;
    }
    const auto silent = now - i.last_inbound;
    if (!i.paused && i.state == phase::running && silent > i.options.keepalive * keepalive_misses) {
      return self->fail_session(error{
          make_error_code(errc::connection_lost),
          i.s->who() + "connection lost: no answer from the server for " +
              std::to_string(std::chrono::duration_cast<std::chrono::seconds>(silent).count()) +
              " s (" + std::to_string(keepalive_misses) +
              " keepalives); the host or the network is down"});
    }
    i.keepalive_due = true;
    self->schedule_pump();
  });
}

void ssh_terminal::write(std::string_view input) {
  auto& d = *impl_;
  if (input.empty() || d.state == phase::closing || d.state == phase::done) return;
  if (d.pending_input + input.size() > max_pending_input) {
    input = input.substr(0, max_pending_input - d.pending_input);  // a giant paste is cut
    if (input.empty()) return;
  }
  d.pending_input += input.size();
  d.input.emplace_back(input);
  schedule_pump();  // not while connecting: the first pump flushes the queue
}

void ssh_terminal::resize(term::term_size size) {
  auto& d = *impl_;
  if (d.size == size) return;
  d.size = size;
  if (d.state != phase::running) return;  // connecting: the PTY request uses the new size
  d.resize_pending = true;
  schedule_pump();
}

void ssh_terminal::pause() noexcept { impl_->paused = true; }

void ssh_terminal::resume() {
  impl_->paused = false;
  impl_->last_inbound = std::chrono::steady_clock::now();  // nothing was read while paused
  schedule_pump();
}

void ssh_terminal::close() noexcept {
  auto& d = *impl_;
  switch (d.state) {
    case phase::idle:
    case phase::closing:
    case phase::done:
      return;
    case phase::connecting:
      d.close_requested = true;
      if (!d.session_counted) d.s->abort();
      return;
    case phase::running:
      d.close_requested = true;
      begin_close();
      return;
  }
}

// Ends the channel: close it (the server answers with exit-status or exit-signal, then its
// own close), bounded by close_grace, then report the status and drop the connection.
void ssh_terminal::begin_close() {
  auto& d = *impl_;
  d.state = phase::closing;
  d.keepalive_timer.cancel();
  d.close_timer.expires_after(close_grace);
  d.close_timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec) self->impl_->s->shutdown();  // a server that never answers: stop waiting
  });
  d.s->async_run([self = shared_from_this()] { return self->impl_->channel.close(); },
                 [self = shared_from_this()](int rc) {
                   if (rc != 0 || !self->impl_->channel.eof()) {
                     return self->finish_close();
                   }
                   self->impl_->s->async_run([self] { return self->impl_->channel.wait_closed(); },
                                             [self](int) { self->finish_close(); });
                 });
}

void ssh_terminal::finish_close() {
  auto& d = *impl_;
  d.close_timer.cancel();
  const int code = d.channel.exit_code();
  d.s->disconnect();
  report_exit(code, {});
}

void ssh_terminal::fail_session(error e) {
  auto& d = *impl_;
  if (d.state == phase::done) return;
  if (d.channel_span.is_recording()) session::end_span(d.channel_span, tl::unexpected(e));
  // Connect and auth failures are counted by the session; channel setup and later ones here.
  if (d.s && (d.session_counted || d.channel_setup)) d.s->metrics().failed(e.code);
  if (d.s) d.s->cancel_deadline();
  d.keepalive_timer.cancel();
  d.close_timer.cancel();
  if (d.s) d.s->shutdown();
  report_exit(-1, e.message);
}

void ssh_terminal::report_exit(int code, std::string_view reason) {
  auto& d = *impl_;
  d.state = phase::done;
  if (d.exit_reported) return;
  d.exit_reported = true;
  if (d.session_counted) d.s->metrics().session_closed();
  if (d.handlers.on_exit) d.handlers.on_exit(code, reason);
}

}  // namespace vmterm::ssh
