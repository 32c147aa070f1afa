#include "term/detail/terminal_session.hpp"

#include <algorithm>
#include <optional>
#include <variant>

#include "core/log.hpp"
#include "metrics/counter.hpp"
#include "metrics/gauge.hpp"
#include "trace/context.hpp"
#include "trace/id_generator.hpp"

namespace vmterm::term {
namespace net = boost::asio;

namespace {

/// The shell starts at the client's first size; a client that sends none gets this after 1 s.
constexpr auto first_size_wait = std::chrono::seconds(1);
/// Input typed before the shell started, kept for it (a paste larger than this is cut).
constexpr std::size_t early_input_max = 64 << 10;
/// Control replies waiting to be written; a client that provokes more is closed.
constexpr std::size_t queue_max = 32;
/// The largest output chunk a backend may deliver after pause(): the replay buffer holds the
/// window plus this, so unacknowledged output is never overwritten.
constexpr std::size_t backend_chunk_max = 256 << 10;
/// How long a closed backend may take to report its exit before the session is gone anyway.
constexpr auto backend_exit_wait = std::chrono::seconds(5);

void add(metrics::counter* c, std::uint64_t n) {
  if (c != nullptr && n > 0) c->inc(static_cast<double>(n));
}

std::size_t replay_capacity(const hub_options& o) {
  const auto window = static_cast<std::size_t>(o.window_high);
  return std::max(o.replay_bytes, window + backend_chunk_max);
}

std::string seconds_text(std::chrono::milliseconds ms) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(ms).count();
  return s >= 1 ? std::to_string(s) + " s" : std::to_string(ms.count()) + " ms";
}

}  // namespace

terminal_session::terminal_session(net::any_io_executor strand, std::string id,
                                   std::shared_ptr<const hub_options> options, hub_metrics metrics,
                                   std::function<void(const std::string&)> on_gone,
                                   trace::span_context first_span)
    : strand_(std::move(strand)),
      id_(std::move(id)),
      public_id_(trace::new_span_id().hex()),
      first_span_(std::move(first_span)),
      options_(std::move(options)),
      metrics_(metrics),
      on_gone_(std::move(on_gone)),
      replay_(replay_capacity(*options_)),
      flow_(options_->window_high, options_->window_low),
      coalescer_(options_->coalesce_bytes, options_->coalesce_delay),
      start_timer_(strand_),
      grace_timer_(strand_),
      idle_timer_(strand_),
      last_input_(clock::now()) {
  if (metrics_.sessions != nullptr) metrics_.sessions->inc();
  if (metrics_.sessions_total != nullptr) metrics_.sessions_total->inc();
}

terminal_session::~terminal_session() {
  if (backend_ && (phase_ == session_phase::created || phase_backend_live(phase_))) {
    backend_->close();
  }
  if (phase_ != session_phase::gone && metrics_.sessions != nullptr) metrics_.sessions->dec();
}

bool terminal_session::enter(session_phase to) {
  if (!phase_change_allowed(phase_, to)) {
    log::error("terminal session: lifecycle change not allowed (a bug; nothing changed)",
               {{"from", std::string(phase_name(phase_))}, {"to", std::string(phase_name(to))}});
    return false;
  }
  phase_ = to;
  return true;
}

void terminal_session::attach(std::shared_ptr<session_link> link,
                              std::optional<std::uint64_t> offset, trace::span span,
                              bool replay_held) {
  if (att_) {  // a resume while the old connection lingers: the new one wins
    att_->span.set_attribute("vmterm.ws.close_reason", "taken over by a resumed connection");
    att_->span.set_attribute("vmterm.ws.close_code", std::int64_t{close_code::abnormal});
    auto old = std::move(att_->link);
    att_.reset();
    old->abort();
  }
  grace_timer_.cancel();
  att_.emplace();
  att_->link = std::move(link);
  att_->span = std::move(span);
  att_->span.set_attribute("vmterm.session.resumed", offset.has_value());
  if (phase_is_over(phase_)) {
    close_connection(close_code::policy, "session ended",
                     "cannot resume: the session has ended; reload the page to start a new one");
    return;
  }
  if (!offset) {
    enqueue(0, {outgoing::kind::text,
                encode_hello(id_, static_cast<std::uint64_t>(options_->resume_grace.count()), 0,
                             options_->readonly, replay_.begin_offset())});
    if (!backend_) make_backend();
    if (phase_ == session_phase::created) {
      start_timer_.expires_after(first_size_wait);
      start_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (!ec && self->phase_ == session_phase::created) self->start_backend(term_size{});
      });
    }
    arm_idle();
    att_->link->wake();
    return;
  }
  // Resume: exactly the bytes after the client's count, if they are still held; or, for a
  // page that lost its screen (a reload), everything held.
  att_->span.set_attribute("vmterm.session.resume_offset", *offset);
  if (replay_held) {
    att_->span.set_attribute("vmterm.session.replay_held", true);
    if (*offset <= replay_.end_offset()) offset = replay_.begin_offset();
  }
  if (*offset > replay_.end_offset() || *offset < replay_.begin_offset()) {
    const std::string why =
        *offset > replay_.end_offset()
            ? "cannot resume: the client claims more output than the session produced"
            : "cannot resume: the output after byte " + std::to_string(*offset) +
                  " is no longer held (the server keeps the last " +
                  std::to_string(replay_.capacity()) + " bytes); reload the page to start anew";
    end(close_code::policy, "cannot resume", why);
    return;
  }
  if (metrics_.resumes != nullptr) metrics_.resumes->inc();
  att_->sent = *offset;
  flow_.reset(replay_.end_offset(), *offset);
  flow_.resume();  // a new page is not hidden
  enqueue(*offset, {outgoing::kind::text,
                    encode_hello(id_, static_cast<std::uint64_t>(options_->resume_grace.count()),
                                 *offset, options_->readonly, replay_.begin_offset())});
  if (final_message_) {  // the shell ended while the client was away
    enqueue(replay_.end_offset(), {outgoing::kind::text, *final_message_});
    enqueue(replay_.end_offset(), {outgoing::kind::close, "exit", close_code::normal, {}});
    exit_queued_ = true;
  }
  apply_gate("resume");
  att_->link->wake();
}

void terminal_session::detach(const session_link* link, std::string_view why, std::uint16_t code) {
  if (!att_ || att_->link.get() != link) return;
  auto& sp = att_->span;
  sp.set_attribute("vmterm.terminal.output_bytes", att_->bytes_out);
  sp.set_attribute("vmterm.terminal.input_bytes", att_->bytes_in);
  // A close the session handed out already named its code and reason (next()); the read that
  // then fails (often "aborted") says nothing more.
  if (att_->close_code == 0) {
    sp.set_attribute("vmterm.ws.close_code", std::int64_t{code != 0 ? code : close_code::abnormal});
    if (!why.empty()) sp.set_attribute("vmterm.ws.close_reason", why);
  }
  att_.reset();  // ends the span
  if (phase_is_over(phase_)) return maybe_gone();
  if (options_->resume_grace.count() <= 0) return end(close_code::normal, "", "");
  arm_grace();
}

void terminal_session::abandon() {
  if (!att_ && !phase_is_over(phase_)) end(close_code::normal, "", "");
}

void terminal_session::make_backend() {
  auto made = options_->make_terminal ? options_->make_terminal(strand_)
                                      : expected<std::shared_ptr<terminal>>(
                                            fail(std::errc::not_supported, "no terminal backend"));
  if (!made || !*made) {
    const std::string why = made ? "the terminal backend is not available" : made.error().message;
    if (att_) att_->span.set_status(trace::status_code::error, "backend failed");
    end(close_code::normal, "backend failed", why);
    return;
  }
  backend_ = std::move(*made);
}

void terminal_session::start_backend(term_size size) {
  if (phase_ != session_phase::created || !backend_) return;
  start_timer_.cancel();
  std::weak_ptr<terminal_session> weak = weak_from_this();
  terminal_handlers h;
  h.on_output = [weak](std::string_view bytes) {
    if (auto self = weak.lock()) self->on_output(bytes);
  };
  h.on_exit = [weak](int code, std::string_view reason) {
    if (auto self = weak.lock()) self->on_exit(code, reason);
  };
  // The backend's own spans (ssh.connect, ssh.auth, ...) belong under this WebSocket's span.
  std::optional<trace::context_scope> scope;
  if (att_) scope.emplace(trace::context{att_->span.context(), {}});
  if (auto ok = backend()->start(size, std::move(h)); !ok) {
    if (att_) att_->span.set_status(trace::status_code::error, "backend failed");
    end(close_code::normal, "backend failed", ok.error().message);  // created → ended
    return;
  }
  enter(session_phase::running);
  if (att_) {
    att_->span.add_event("start",
                         {{"cols", std::int64_t{size.cols}}, {"rows", std::int64_t{size.rows}}});
  }
  if (!early_input_.empty() && !options_->readonly) backend()->write(early_input_);
  early_input_.clear();
  early_input_.shrink_to_fit();
  apply_gate("start");
}

void terminal_session::on_output(std::string_view bytes) {
  if (phase_ == session_phase::gone) return;
  replay_.append(bytes);
  flow_.on_sent(bytes.size());
  apply_gate("window");
  if (!att_ || att_->closing) return;
  // From the backend's own handler (the PTY was readable): the session is done with it, so
  // the link may write now, without a post and one more pass of the event loop per echo.
  // From inside one of the session's calls into the backend: the session is mid-method.
  if (backend_calls_ == 0) {
    att_->link->ready();
  } else {
    att_->link->wake();
  }
}

void terminal_session::on_exit(int code, std::string_view reason) {
  if (phase_ == session_phase::ending) {
    enter(session_phase::ended);
    return maybe_gone();
  }
  if (phase_ != session_phase::running || !enter(session_phase::exited)) return;
  const bool failed = code < 0 && !reason.empty();
  final_message_ = failed ? encode_error(reason) : encode_exit(code);
  if (att_) {
    att_->span.add_event("exit", {{"code", std::int64_t{code}}});
    att_->span.set_attribute("vmterm.terminal.exit_code", std::int64_t{code});
    if (failed) att_->span.set_status(trace::status_code::error, "backend failed");
    enqueue(replay_.end_offset(), {outgoing::kind::text, *final_message_});
    enqueue(replay_.end_offset(), {outgoing::kind::close, "exit", close_code::normal, {}});
    exit_queued_ = true;
    att_->link->wake();
  }
  // Detached: the grace timer runs; a resume gets the rest of the output and this message.
}

void terminal_session::on_binary(const session_link* link, std::string_view bytes) {
  if (!att_ || att_->link.get() != link || phase_is_over(phase_)) return;
  att_->bytes_in += bytes.size();
  add(metrics_.input_bytes, bytes.size());
  last_input_ = clock::now();
  if (options_->readonly) return;  // the page hides input; a crafted client is ignored
  if (phase_ == session_phase::running) {
    coalescer_.input();  // its echo is sent at once
    backend()->write(bytes);
  } else if (phase_ == session_phase::created && early_input_.size() < early_input_max) {
    early_input_.append(bytes.substr(0, early_input_max - early_input_.size()));
  }
}

void terminal_session::on_text(const session_link* link, std::string_view text) {
  if (!att_ || att_->link.get() != link || phase_is_over(phase_)) return;
  auto msg = parse_client_message(text);
  if (!msg) {
    enqueue(att_->sent, {outgoing::kind::text, encode_error(msg.error().message)});
    att_->link->wake();
    return;
  }
  on_control(*msg);
}

void terminal_session::on_control(const client_message& msg) {
  if (const auto* r = std::get_if<resize_message>(&msg)) {
    const term_size size{r->cols, r->rows};
    att_->span.add_event("resize",
                         {{"cols", std::int64_t{size.cols}}, {"rows", std::int64_t{size.rows}}});
    if (phase_ == session_phase::created) {
      start_backend(size);
    } else if (phase_ == session_phase::running) {
      backend()->resize(size);
    }
  } else if (const auto* a = std::get_if<ack_message>(&msg)) {
    if (a->bytes > att_->sent || !flow_.on_ack(a->bytes)) {
      close_connection(close_code::policy, "bad ack",
                       "control message: ack of " + std::to_string(a->bytes) +
                           " bytes is more than the " + std::to_string(att_->sent) + " sent");
      return;
    }
    apply_gate("ack");
  } else if (std::holds_alternative<end_message>(msg)) {
    // The page starts a new session: this one does not wait out the resume grace.
    end(close_code::normal, "ended by the client", "");
  } else if (std::holds_alternative<pause_message>(msg)) {
    flow_.pause();
    apply_gate("client");
  } else {
    flow_.resume();
    apply_gate("client");
  }
}

void terminal_session::apply_gate(std::string_view why) {
  if (!backend_ || !phase_backend_live(phase_)) return;
  // An ending session drains the backend so that it can report its exit.
  const bool stop = phase_ == session_phase::running && !flow_.may_read();
  if (stop == backend_paused_) return;
  backend_paused_ = stop;
  if (att_) {
    att_->span.add_event(stop ? "pause" : "resume",
                         {{"reason", std::string(stop && flow_.throttled() ? "window" : why)},
                          {"in_flight", static_cast<std::int64_t>(flow_.in_flight())}});
  }
  if (stop) {
    backend()->pause();
  } else {
    backend()->resume();
  }
}

void terminal_session::enqueue(std::uint64_t after, outgoing item) {
  if (!att_ || att_->closing) return;
  if (att_->queue.size() >= queue_max && item.type != outgoing::kind::close) {
    att_->queue.clear();
    att_->queue.push_back(
        {att_->sent, {outgoing::kind::close, "too many control messages", close_code::policy, {}}});
    return;
  }
  att_->queue.push_back({after, std::move(item)});
}

void terminal_session::close_connection(std::uint16_t code, std::string reason,
                                        std::string message) {
  if (!att_) return;
  if (!message.empty()) enqueue(att_->sent, {outgoing::kind::text, encode_error(message)});
  enqueue(att_->sent, {outgoing::kind::close, std::move(reason), code, {}});
  att_->link->wake();
}

void terminal_session::end(std::uint16_t code, std::string reason, std::string message) {
  if (phase_is_over(phase_)) return;
  const bool drain = phase_ == session_phase::running && backend_;
  if (!enter(drain ? session_phase::ending : session_phase::ended)) return;
  start_timer_.cancel();
  grace_timer_.cancel();
  idle_timer_.cancel();
  if (att_ && !exit_queued_) close_connection(code, std::move(reason), std::move(message));
  if (drain) {
    backend()->close();
    apply_gate("end");  // let it drain to its exit
    // A backend that never reports its exit must not keep the session (or a shutdown) forever.
    grace_timer_.expires_after(backend_exit_wait);
    grace_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->phase_ != session_phase::ending) return;
      self->enter(session_phase::ended);
      self->maybe_gone();
    });
  }
  maybe_gone();
}

void terminal_session::maybe_gone() {
  if (phase_ != session_phase::ended || att_ || !enter(session_phase::gone)) return;
  grace_timer_.cancel();
  if (metrics_.sessions != nullptr) metrics_.sessions->dec();
  if (on_gone_) on_gone_(id_);
}

void terminal_session::shutdown() { end(close_code::going_away, "server shutting down", ""); }

void terminal_session::arm_idle() {
  if (options_->idle_timeout.count() <= 0 || phase_is_over(phase_)) return;
  const auto deadline = last_input_ + options_->idle_timeout;
  idle_timer_.expires_at(deadline);
  idle_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || phase_is_over(self->phase_)) return;
    if (clock::now() - self->last_input_ < self->options_->idle_timeout) {
      return self->arm_idle();  // input came meanwhile
    }
    self->end(close_code::normal, "idle timeout",
              "the session was closed after " + seconds_text(self->options_->idle_timeout) +
                  " without input (the idle timeout)");
  });
}

void terminal_session::arm_grace() {
  grace_timer_.expires_after(options_->resume_grace);
  grace_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec && !self->att_) self->end(close_code::normal, "", "");
  });
}

outgoing terminal_session::output_frame(std::size_t max_bytes, clock::time_point now,
                                        std::string frame) {
  outgoing out{outgoing::kind::binary, std::move(frame)};
  if (!replay_.copy(att_->sent, max_bytes, out.data)) {
    // Cannot happen while the replay buffer holds the window; never send a gap.
    att_->queue.clear();
    att_->closing = true;
    att_->close_code = close_code::internal;
    att_->span.set_attribute("vmterm.ws.close_code", std::int64_t{close_code::internal});
    att_->span.set_attribute("vmterm.ws.close_reason", "output overrun");
    return {outgoing::kind::close, "output overrun", close_code::internal, {}};
  }
  att_->sent += out.data.size();
  att_->bytes_out += out.data.size();
  add(metrics_.output_bytes, out.data.size());
  coalescer_.sent(now);
  return out;
}

outgoing terminal_session::next(const session_link* link, clock::time_point now,
                                std::string frame) {
  if (!att_ || att_->link.get() != link || att_->closing) return {};
  if (!att_->queue.empty()) {
    const auto& front = att_->queue.front();
    if (front.after <= att_->sent) {
      outgoing item = std::move(att_->queue.front().item);
      att_->queue.erase(att_->queue.begin());
      if (att_->queue.empty()) std::vector<queued>().swap(att_->queue);
      if (item.type == outgoing::kind::close) {
        att_->closing = true;
        att_->queue.clear();
        att_->close_code = item.code;
        att_->span.set_attribute("vmterm.ws.close_code", std::int64_t{item.code});
        att_->span.set_attribute("vmterm.ws.close_reason", item.data);
        // The exit is delivered: nothing left to resume.
        if (exit_queued_ && phase_ == session_phase::exited) {
          enter(session_phase::ended);
          grace_timer_.cancel();
          idle_timer_.cancel();
        }
      }
      return item;
    }
    // Output comes first, up to where the message belongs, without waiting.
    const auto upto = static_cast<std::size_t>(front.after - att_->sent);
    return output_frame(std::min(upto, coalescer_.max_frame()), now, std::move(frame));
  }
  const auto d = coalescer_.decide(replay_.end_offset() - att_->sent, now);
  switch (d.what) {
    case output_coalescer::decision::kind::send:
      return output_frame(d.bytes, now, std::move(frame));
    case output_coalescer::decision::kind::wait:
      return {outgoing::kind::wait, std::move(frame), 0, d.until};
    case output_coalescer::decision::kind::idle:
      break;
  }
  return {};
}

}  // namespace vmterm::term
