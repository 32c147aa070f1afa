#include "redis/connection.hpp"

#include <hiredis/hiredis.h>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>

#include "redis/detail/hiredis_reply.hpp"
#include "redis/detail/link.hpp"
#include "trace/context.hpp"
#include "trace/provider.hpp"
#include "trace/semconv.hpp"

namespace vmterm::redis {
namespace detail {
bool is_subscribe_command(std::string_view name);
}

namespace net = boost::asio;
using clock_type = std::chrono::steady_clock;
namespace semconv = trace::semconv;

struct connection::impl final : detail::link {
  enum class kind : std::uint8_t { single, pipeline, eval };
  struct batch {
    kind k = kind::single;
    std::vector<command> cmds;
    std::vector<std::string> names;  ///< per command, for metrics (only with metrics on)
    std::vector<reply> replies;
    std::size_t expected = 0;
    reply_fn one;
    replies_fn many;
    trace::span span;
    trace::context ctx;  ///< current at the call: made current again around the callback
    std::string op;      ///< span name and duration label ("LPUSH", "PIPELINE", "EVALSHA")
    std::string label;   ///< for messages ("LPUSH", "EVALSHA take_batch")
    clock_type::time_point start, deadline, sent;
    std::optional<script> s;
    bool reloaded = false;
    std::shared_ptr<connection> keep;  ///< every pending operation holds its connection
  };
  using batch_ptr = std::unique_ptr<batch>;

  impl(net::any_io_executor ex, connection_options o)
      : link(ex, std::move(o)),
        tracer_(options().tracer ? *options().tracer : trace::get_tracer("vmterm.redis")),
        wait_timer_(ex),
        command_timer_(ex) {}

  std::shared_ptr<impl> self() { return std::static_pointer_cast<impl>(shared_from_this()); }

  // ---- starting an operation ----

  void begin(batch& b, const std::source_location& where) {
    b.start = clock_type::now();
    b.ctx = trace::current_context();
    if (!options().trace_commands) return;
    b.span = tracer_.start_span(b.op, trace::span_kind::client);
    if (!b.span.is_recording()) return;
    const auto& u = options().url;
    b.span.set_attribute(semconv::db_system_name, semconv::db_system_name_redis);
    b.span.set_attribute(semconv::db_namespace, std::to_string(u.db));
    b.span.set_attribute(semconv::db_operation_name, b.op);
    std::string text;
    constexpr std::size_t max_text = 2048;  // a 1,000-command pipeline's shape, not all of it
    for (std::size_t i = 0; i < b.cmds.size(); ++i) {
      if (i > 0) text += '\n';
      if (text.size() > max_text) {
        text += "... (" + std::to_string(b.cmds.size() - i) + " more)";
        break;
      }
      text += sanitized_text(b.cmds[i], options().keys_in_spans);
    }
    b.span.set_attribute(semconv::db_query_text, text);
    if (u.unix_path.empty()) {
      b.span.set_attribute(semconv::server_address, u.host);
      b.span.set_attribute(semconv::server_port, static_cast<std::int64_t>(u.port));
    } else {
      b.span.set_attribute(semconv::server_address, u.unix_path);
      b.span.set_attribute(semconv::network_transport, "unix");
    }
    if (b.k == kind::pipeline && b.cmds.size() >= 2) {
      b.span.set_attribute(semconv::db_operation_batch_size,
                           static_cast<std::int64_t>(b.cmds.size()));
    }
    if (b.s) b.span.set_attribute(semconv::db_stored_procedure_name, b.s->name());
    b.span.set_attribute(semconv::code_function_name, where.function_name());
    b.span.set_attribute(semconv::code_file_path, where.file_name());
    b.span.set_attribute(semconv::code_line_number, static_cast<std::int64_t>(where.line()));
  }

  void submit(batch_ptr b) {
    if (state() == connection_state::closed) {
      fail_later(std::move(b), make_error_code(std::errc::operation_canceled),
                 "canceled (the connection was closed)");
      return;
    }
    if (ready() || early()) {
      send_batch(std::move(b));
      return;
    }
    b->deadline = clock_type::now() + options().connect_timeout;
    waiting_.push_back(std::move(b));
    arm_wait_timer();
    if (state() == connection_state::idle) connect({});
  }

  /// Commands ride behind the handshake (pipeline_handshake): only on db 0, where a refused
  /// SELECT cannot leave them on another db.
  [[nodiscard]] bool early() const noexcept { return early_sending() && options().url.db == 0; }

  void send_batch(batch_ptr b) {
    std::size_t sent = 0;
    for (const auto& c : b->cmds) {
      if (!send(c.args)) break;
      ++sent;
    }
    if (sent == 0) {  // no connection after all: wait for the next one
      b->deadline = clock_type::now() + options().connect_timeout;
      waiting_.push_back(std::move(b));
      arm_wait_timer();
      return;
    }
    b->expected = sent;
    b->replies.reserve(sent);
    b->sent = clock_type::now();
    if (metrics().enabled() && b->names.empty()) {
      for (const auto& c : b->cmds) b->names.push_back(c.name());
    }
    if (b->k != kind::eval) b->cmds = {};  // hiredis holds the bytes now
    inflight_.push_back(std::move(b));
    arm_command_timer();
  }

  // ---- replies (called from inside hiredis: record only) ----

  void on_reply(redisReply* r) override {
    if (inflight_.empty()) return;
    auto& b = *inflight_.front();
    b.replies.push_back(detail::from_hiredis(r));
    if (b.replies.size() >= b.expected) {
      done_.push_back(std::move(inflight_.front()));
      inflight_.pop_front();
    }
  }

  void after_io() override {
    // Replies to commands sent behind the handshake wait for its outcome (delivered after
    // on_ready, failed by on_attempt_failed).
    if (done_.empty() || held_) return;
    auto list = std::move(done_);
    done_.clear();
    for (auto& b : list) finish(std::move(b));
  }

  void finish(batch_ptr b) {
    if (b->k == kind::eval && !b->reloaded && !b->replies.empty() && b->replies.back().is_error() &&
        b->replies.back().text().starts_with("NOSCRIPT")) {
      // Not loaded on this server (restart, SCRIPT FLUSH, first use): load it and run it
      // again, both in one round trip.
      b->reloaded = true;
      b->span.add_event("redis.script.load");
      command evalsha = std::move(b->cmds.back());
      b->cmds.clear();
      b->cmds.push_back(command{"SCRIPT", "LOAD", b->s->source()});
      b->cmds.push_back(std::move(evalsha));
      b->names.clear();
      b->replies.clear();
      submit(std::move(b));
      return;
    }
    const double seconds = std::chrono::duration<double>(clock_type::now() - b->start).count();
    metrics().duration(b->op, seconds);
    if (b->k == kind::pipeline) {
      const reply* first_error = nullptr;
      for (std::size_t i = 0; i < b->replies.size(); ++i) {
        const bool bad = b->replies[i].is_error();
        if (bad && first_error == nullptr) first_error = &b->replies[i];
        if (i < b->names.size()) metrics().command(b->names[i], bad);
      }
      if (first_error != nullptr) mark_error(b->span, first_error->text());
      b->span.end();
      auto done = std::move(b->many);
      trace::context_scope scope(std::move(b->ctx));
      if (done) done(std::move(b->replies));
      return;
    }
    // single or eval: after a reload, a failed SCRIPT LOAD is the error to report
    const reply& r = (b->reloaded && b->replies.size() == 2 && b->replies[0].is_error())
                         ? b->replies[0]
                         : b->replies.back();
    for (std::size_t i = 0; i < b->names.size(); ++i) {
      metrics().command(b->names[i], i < b->replies.size() && b->replies[i].is_error());
    }
    auto done = std::move(b->one);
    if (r.is_error()) {
      mark_error(b->span, r.text());
      b->span.end();
      error e{make_error_code(errc::server_error), who() + ": " + b->label + ": " + r.text()};
      trace::context_scope scope(std::move(b->ctx));
      if (done) done(tl::unexpected(std::move(e)));
      return;
    }
    b->span.end();
    reply out = r.is_error() ? reply{} : std::move(b->replies.back());
    trace::context_scope scope(std::move(b->ctx));
    if (done) done(std::move(out));
  }

  static void mark_error(trace::span& s, const std::string& words) {
    if (!s.is_recording()) return;
    const auto prefix = words.substr(0, words.find(' '));
    s.set_attribute(semconv::db_response_status_code, prefix);
    s.set_attribute(semconv::error_type, prefix);
    s.set_status(trace::status_code::error, words);
  }

  /// Fails `b` on a later turn of the loop (never inside the call that failed it).
  void fail_later(batch_ptr b, std::error_code code, const std::string& reason) {
    std::vector<batch_ptr> list;
    list.push_back(std::move(b));
    fail_all_later(std::move(list), code, reason);
  }

  void fail_all_later(std::vector<batch_ptr> list, std::error_code code, std::string reason) {
    if (list.empty()) return;
    auto shared = std::make_shared<std::vector<batch_ptr>>(std::move(list));
    net::post(executor(), [self = self(), shared, code, reason = std::move(reason)] {
      for (auto& b : *shared) self->fail_now(*b, code, reason);
    });
  }

  void fail_now(batch& b, std::error_code code, const std::string& reason) {
    const std::string message = who() + ": " + b.label + ": " + reason;
    if (b.span.is_recording()) {
      b.span.set_attribute(semconv::error_type, code == std::errc::timed_out ? "timeout"
                                                : code == std::errc::operation_canceled
                                                    ? "canceled"
                                                    : "connection");
      b.span.set_status(trace::status_code::error, message);
    }
    b.span.end();
    for (const auto& n : b.names) metrics().command(n, true);
    trace::context_scope scope(std::move(b.ctx));
    if (b.one) {
      auto done = std::move(b.one);
      done(fail(code, message));
    } else if (b.many) {
      auto done = std::move(b.many);
      done(fail(code, message));
    }
  }

  /// The part of a link error after "redis 'URL': ".
  [[nodiscard]] std::string reason_of(const error& why) const {
    const std::string prefix = who() + ": ";
    return why.message.starts_with(prefix) ? why.message.substr(prefix.size()) : why.message;
  }

  // ---- the link's events ----

  void on_connecting() override {
    if (!early()) return;
    held_ = true;
    while (!waiting_.empty() && early()) {
      auto b = std::move(waiting_.front());
      waiting_.pop_front();
      send_batch(std::move(b));
    }
  }

  void on_ready() override {
    // Sent behind the handshake: their command timeout counts from now.
    held_ = false;
    const auto now = clock_type::now();
    for (auto& b : inflight_) b->sent = std::max(b->sent, now);
    arm_command_timer();
    while (!waiting_.empty() && ready()) {
      auto b = std::move(waiting_.front());
      waiting_.pop_front();
      send_batch(std::move(b));
    }
  }

  void on_lost(const error& why) override {
    std::vector<batch_ptr> list;
    if (held_) {  // closed before the handshake was answered: nothing it carried succeeded
      held_ = false;
      for (auto& b : done_) list.push_back(std::move(b));
      done_.clear();
    }
    after_io();  // replies that arrived before the loss are delivered first
    for (auto& b : inflight_) list.push_back(std::move(b));
    inflight_.clear();
    if (state() == connection_state::closed) {
      for (auto& b : waiting_) list.push_back(std::move(b));
      waiting_.clear();
      wait_timer_.cancel();
      command_timer_.cancel();
      fail_all_later(std::move(list), make_error_code(std::errc::operation_canceled),
                     "canceled (the connection was closed)");
      return;
    }
    const auto code = why.code == std::errc::timed_out
                          ? why.code
                          : make_error_code(std::errc::connection_aborted);
    fail_all_later(std::move(list), code, reason_of(why) + "; it may or may not have run");
  }

  void on_attempt_failed(const error& why) override {
    if (options().reconnect) return;  // waiting commands wait (bounded) for the next attempt
    held_ = false;
    std::vector<batch_ptr> list;
    // Sent behind the handshake (pipeline_handshake), answered or not: they fail with it.
    for (auto& b : done_) list.push_back(std::move(b));
    done_.clear();
    for (auto& b : inflight_) list.push_back(std::move(b));
    inflight_.clear();
    for (auto& b : waiting_) list.push_back(std::move(b));
    waiting_.clear();
    fail_all_later(std::move(list), why.code, reason_of(why));
  }

  // ---- deadlines ----

  void arm_wait_timer() {
    if (wait_armed_ || waiting_.empty()) return;
    wait_armed_ = true;
    wait_timer_.expires_at(waiting_.front()->deadline);
    wait_timer_.async_wait([self = self()](boost::system::error_code ec) {
      self->wait_armed_ = false;
      if (ec) return;
      const auto now = clock_type::now();
      std::vector<batch_ptr> expired;
      while (!self->waiting_.empty() && self->waiting_.front()->deadline <= now) {
        expired.push_back(std::move(self->waiting_.front()));
        self->waiting_.pop_front();
      }
      std::string last = self->last_failure();
      const std::string prefix = self->who() + ": ";
      if (last.starts_with(prefix)) last = last.substr(prefix.size());
      self->fail_all_later(std::move(expired), make_error_code(std::errc::timed_out),
                           "not connected within " +
                               std::to_string(self->options().connect_timeout.count()) + " ms" +
                               (last.empty() ? std::string() : " (" + last + ")"));
      self->arm_wait_timer();
    });
  }

  void arm_command_timer() {
    const auto limit = options().command_timeout;
    if (limit.count() <= 0 || command_armed_ || inflight_.empty()) return;
    command_armed_ = true;
    command_timer_.expires_at(inflight_.front()->sent + limit);
    command_timer_.async_wait([self = self(), limit](boost::system::error_code ec) {
      self->command_armed_ = false;
      if (ec || self->inflight_.empty() || !self->ready()) return;  // on_ready arms it again
      const auto& front = *self->inflight_.front();
      if (clock_type::now() < front.sent + limit) {
        self->arm_command_timer();
        return;
      }
      self->drop(error{make_error_code(std::errc::timed_out),
                       self->who() + ": no reply within " + std::to_string(limit.count()) +
                           " ms to " + front.label +
                           "; the connection was dropped and is being reopened"});
    });
  }

  trace::tracer tracer_;
  std::deque<batch_ptr> waiting_;
  std::deque<batch_ptr> inflight_;
  std::vector<batch_ptr> done_;
  net::steady_timer wait_timer_;
  net::steady_timer command_timer_;
  bool wait_armed_ = false;
  bool command_armed_ = false;
  bool held_ = false;  ///< replies to commands sent behind the handshake wait for its outcome
};

namespace {

std::optional<std::string> refuse(const command& c) {
  if (c.args.empty()) return std::string("an empty command; give the command's name first");
  if (detail::is_subscribe_command(c.args[0])) {
    return std::string("pub/sub needs a connection of its own; use redis::subscriber");
  }
  return std::nullopt;
}

}  // namespace

std::shared_ptr<connection> connection::create(net::any_io_executor executor,
                                               connection_options options) {
  auto p = std::make_shared<impl>(std::move(executor), std::move(options));
  return std::shared_ptr<connection>(new connection(std::move(p)));
}

connection::connection(std::shared_ptr<impl> p) : impl_(std::move(p)) {}

connection::~connection() {
  impl_->set_state_callback({});  // a destroyed owner is not told of its own close
  close();
}

void connection::async_connect(connect_fn done) { impl_->connect(std::move(done)); }

void connection::exec(command c, reply_fn done, std::source_location where) {
  auto b = std::make_unique<impl::batch>();
  b->k = impl::kind::single;
  b->op = c.name();
  b->label = b->op.empty() ? std::string("exec") : b->op;
  b->one = std::move(done);
  b->keep = shared_from_this();
  if (auto why = refuse(c)) {
    b->start = std::chrono::steady_clock::now();
    impl_->fail_later(std::move(b), make_error_code(errc::usage), *why);
    return;
  }
  b->cmds.push_back(std::move(c));
  impl_->begin(*b, where);
  impl_->submit(std::move(b));
}

void connection::pipeline(std::vector<command> commands, replies_fn done,
                          std::source_location where) {
  auto b = std::make_unique<impl::batch>();
  b->k = impl::kind::pipeline;
  b->many = std::move(done);
  b->keep = shared_from_this();
  if (commands.empty()) {
    net::post(impl_->executor(), [b = std::move(b)]() mutable {
      if (b->many) b->many(std::vector<reply>{});
    });
    return;
  }
  const std::string first = commands.front().name();
  bool same = true;
  for (const auto& c : commands) {
    if (auto why = refuse(c)) {
      b->op = b->label = "PIPELINE";
      impl_->fail_later(std::move(b), make_error_code(errc::usage), *why);
      return;
    }
    if (same && c.name() != first) same = false;
  }
  if (first == "MULTI" && commands.back().name() == "EXEC") {
    b->op = "MULTI";
  } else {
    b->op = same ? "PIPELINE " + first : std::string("PIPELINE");
  }
  b->label = b->op;
  b->cmds = std::move(commands);
  impl_->begin(*b, where);
  impl_->submit(std::move(b));
}

void connection::eval(const script& s, std::vector<std::string> keys, std::vector<std::string> args,
                      reply_fn done, std::source_location where) {
  auto b = std::make_unique<impl::batch>();
  b->k = impl::kind::eval;
  b->op = "EVALSHA";
  b->label = "EVALSHA " + s.name();
  b->one = std::move(done);
  b->keep = shared_from_this();
  b->s = s;
  command c;
  c.args.reserve(3 + keys.size() + args.size());
  c.args.emplace_back("EVALSHA");
  c.args.push_back(s.sha1());
  c.args.push_back(std::to_string(keys.size()));
  for (auto& k : keys) c.args.push_back(std::move(k));
  for (auto& a : args) c.args.push_back(std::move(a));
  b->cmds.push_back(std::move(c));
  impl_->begin(*b, where);
  impl_->submit(std::move(b));
}

void connection::on_state_change(std::function<void(connection_state)> fn) {
  impl_->set_state_callback(std::move(fn));
}

connection_state connection::state() const noexcept { return impl_->state(); }

std::string connection::last_error() const { return impl_->last_failure(); }

const connection_options& connection::options() const noexcept { return impl_->options(); }

void connection::close() noexcept {
  impl_->shutdown(error{make_error_code(std::errc::operation_canceled),
                        impl_->who() + ": the connection was closed"});
}

}  // namespace vmterm::redis
