#include "queue/result_backend.hpp"

#include <boost/asio/steady_timer.hpp>
#include <map>
#include <utility>

#include "queue/detail/scripts.hpp"
#include "queue/message.hpp"
#include "redis/script.hpp"

namespace vmterm::queue {

namespace {

/// Celery's _store_result in one atomic step: a stored SUCCESS is final (celery.md §1.5).
/// KEYS: the result key. ARGV: JSON, ttl seconds (0 = no TTL). Returns 1 stored, 0 kept.
const redis::script& store_script() {
  static const redis::script s("vmterm.store_result", std::string(detail::lua_store_result) + R"lua(
return store_result(KEYS[1], ARGV[1], tonumber(ARGV[2]))
)lua");
  return s;
}

/// store_script for many results at once. KEYS: the result keys. ARGV: ttl seconds, then one
/// JSON per key. Returns one 1 (stored) or 0 (kept) per key.
const redis::script& store_many_script() {
  static const redis::script s("vmterm.store_results",
                               std::string(detail::lua_store_result) + R"lua(
local ttl = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS do out[i] = store_result(KEYS[i], ARGV[i + 1], ttl) end
return out
)lua");
  return s;
}

}  // namespace

result_backend::result_backend(std::shared_ptr<redis::connection> conn,
                               std::chrono::seconds expires)
    : conn_(std::move(conn)), expires_(expires) {}

void result_backend::store(const result_meta& m, std::function<void(expected<bool>)> done) {
  conn_->eval(store_script(), {result_key(m.task_id)},
              {encode_result(m), std::to_string(expires_.count())},
              [done = std::move(done)](expected<redis::reply> r) {
                if (!r) {
                  done(tl::unexpected(r.error()));
                  return;
                }
                done(r->integer() == 1);
              });
}

void result_backend::store_many(const std::vector<result_meta>& ms,
                                std::function<void(expected<std::vector<bool>>)> done) {
  if (ms.empty()) {
    done(std::vector<bool>{});
    return;
  }
  // One script call for the whole batch (eval() loads the script again after a restart).
  std::vector<std::string> keys;
  std::vector<std::string> args;
  keys.reserve(ms.size());
  args.reserve(ms.size() + 1);
  args.push_back(std::to_string(expires_.count()));
  for (const auto& m : ms) {
    keys.push_back(result_key(m.task_id));
    args.push_back(encode_result(m));
  }
  const auto n = ms.size();
  conn_->eval(store_many_script(), std::move(keys), std::move(args),
              [n, done = std::move(done)](expected<redis::reply> r) mutable {
                if (!r) {
                  done(tl::unexpected(r.error()));
                  return;
                }
                const auto& el = r->elements();
                if (el.size() != n) {
                  done(fail(std::errc::io_error, "storing results: the script answered " +
                                                     std::to_string(el.size()) + " flags for " +
                                                     std::to_string(n) + " results"));
                  return;
                }
                std::vector<bool> out(n, false);
                for (std::size_t i = 0; i < n; ++i) out[i] = el[i].integer() == 1;
                done(std::move(out));
              });
}

void result_backend::get(std::string task_id,
                         std::function<void(expected<std::optional<result_meta>>)> done) {
  conn_->exec(redis::command{"GET", result_key(task_id)},
              [done = std::move(done)](expected<redis::reply> r) {
                if (!r) {
                  done(tl::unexpected(r.error()));
                  return;
                }
                if (r->is_nil()) {
                  done(std::optional<result_meta>{});
                  return;
                }
                auto m = decode_result(r->text());
                if (!m) {
                  done(tl::unexpected(m.error()));
                  return;
                }
                done(std::optional<result_meta>(std::move(*m)));
              });
}

// ---------------------------------------------------------------- result_waiter

struct result_waiter::impl : std::enable_shared_from_this<result_waiter::impl> {
  struct pending {
    std::unique_ptr<boost::asio::steady_timer> timer;
    result_fn done;
    std::function<void(const result_meta&)> progress;
  };
  boost::asio::any_io_executor ex;
  redis::connection_options opts;
  std::shared_ptr<redis::subscriber> sub;
  std::shared_ptr<redis::connection> conn;
  bool borrowed = false;  ///< conn is the caller's: it connects and closes it
  std::map<std::string, pending, std::less<>> waits;  ///< by task id
  std::string own_prefix = uuid4().substr(0, 19);     ///< next_id()'s "xxxxxxxx-xxxx-4xxx-"
  bool own_subscribed = false;                        ///< subscribe_own() confirmed

  [[nodiscard]] bool own(std::string_view id) const {
    return own_subscribed && id.starts_with(own_prefix);
  }

  impl(boost::asio::any_io_executor e, redis::connection_options o)
      : ex(std::move(e)), opts(std::move(o)) {}

  void init() {
    std::weak_ptr<impl> weak = shared_from_this();
    sub = redis::subscriber::create(ex, opts, [weak](const redis::pubsub_message& m) {
      if (auto self = weak.lock()) self->on_message(m.channel, m.payload);
    });
    sub->on_resubscribed([weak] {
      if (auto self = weak.lock()) {
        for (const auto& [id, p] : self->waits) self->get_once(id);
      }
    });
    if (!conn) conn = redis::connection::create(ex, opts);
  }

  void on_message(std::string_view channel, const std::string& payload) {
    constexpr std::string_view prefix = "celery-task-meta-";
    if (channel.substr(0, prefix.size()) != prefix) return;
    deliver(std::string(channel.substr(prefix.size())), payload);
  }

  void deliver(const std::string& id, const std::string& payload) {
    auto it = waits.find(id);
    if (it == waits.end()) return;
    auto m = decode_result(payload);
    if (!m) {
      finish(id, tl::unexpected(m.error()));
      return;
    }
    if (!is_ready(m->status)) {
      if (it->second.progress) it->second.progress(*m);
      return;
    }
    finish(id, std::move(*m));
  }

  void finish(const std::string& id, expected<result_meta> r) {
    auto it = waits.find(id);
    if (it == waits.end()) return;
    auto p = std::move(it->second);
    waits.erase(it);
    if (p.timer) p.timer->cancel();
    if (!own(id)) sub->unsubscribe({result_key(id)});
    p.done(std::move(r));
  }

  void get_once(const std::string& id) {
    conn->exec(redis::command{"GET", result_key(id)},
               [self = shared_from_this(), id](expected<redis::reply> r) {
                 if (!r) return;  // the pub/sub path or the timeout answers
                 if (r->is_nil()) return;
                 self->deliver(id, r->text());
               });
  }
};

result_waiter::result_waiter(std::shared_ptr<impl> p) : impl_(std::move(p)) {}
result_waiter::~result_waiter() { close(); }

std::shared_ptr<result_waiter> result_waiter::create(boost::asio::any_io_executor executor,
                                                     redis::connection_options redis) {
  auto p = std::make_shared<impl>(std::move(executor), std::move(redis));
  p->init();
  return std::shared_ptr<result_waiter>(new result_waiter(std::move(p)));
}

std::shared_ptr<result_waiter> result_waiter::create(
    boost::asio::any_io_executor executor, redis::connection_options redis,
    std::shared_ptr<redis::connection> get_connection) {
  if (!get_connection) return create(std::move(executor), std::move(redis));
  auto p = std::make_shared<impl>(std::move(executor), std::move(redis));
  p->conn = std::move(get_connection);
  p->borrowed = true;
  p->init();
  return std::shared_ptr<result_waiter>(new result_waiter(std::move(p)));
}

void result_waiter::async_connect(std::function<void(expected<void>)> done) {
  // The subscriber and the GET connection at once: `done` once, with the first error or when
  // both are up.
  struct joint {
    std::function<void(expected<void>)> done;
    int pending = 2;
  };
  auto j = std::make_shared<joint>(joint{std::move(done), impl_->borrowed ? 1 : 2});
  auto one = [j](expected<void> r) {
    if (!j->done) return;
    if (!r) return std::exchange(j->done, nullptr)(std::move(r));
    if (--j->pending == 0) std::exchange(j->done, nullptr)(expected<void>{});
  };
  impl_->sub->async_connect(one);
  if (!impl_->borrowed) impl_->conn->async_connect(one);
}

void result_waiter::subscribe(const std::string& task_id,
                              std::function<void(expected<void>)> done) {
  impl_->sub->subscribe({result_key(task_id)}, std::move(done));
}

void result_waiter::subscribe_own(std::function<void(expected<void>)> done) {
  impl_->sub->psubscribe(
      {result_key(impl_->own_prefix) + "*"},
      [weak = std::weak_ptr<impl>(impl_), done = std::move(done)](expected<void> r) {
        if (auto self = weak.lock(); self && r) self->own_subscribed = true;
        done(std::move(r));
      });
}

std::string result_waiter::next_id() { return impl_->own_prefix + uuid4().substr(19); }

void result_waiter::wait(const std::string& task_id, std::chrono::milliseconds timeout,
                         result_fn done, std::function<void(const result_meta&)> progress) {
  auto p = impl_;
  impl::pending w;
  w.done = std::move(done);
  w.progress = std::move(progress);
  w.timer = std::make_unique<boost::asio::steady_timer>(p->ex);
  w.timer->expires_after(timeout);
  auto secs = std::chrono::duration<double>(timeout).count();
  w.timer->async_wait([weak = std::weak_ptr<impl>(p), task_id, secs](boost::system::error_code ec) {
    if (ec) return;
    if (auto self = weak.lock()) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%g", secs);
      self->finish(task_id,
                   fail(std::errc::timed_out, "task " + task_id + ": no result within " + buf +
                                                  " s (is a worker consuming its queue?)"));
    }
  });
  p->waits[task_id] = std::move(w);
  // Closes the race with a result published before the SUBSCRIBE (not needed under the
  // pattern subscribed before the task was sent).
  if (!p->own(task_id)) p->get_once(task_id);
}

void result_waiter::close() noexcept {
  if (!impl_) return;
  for (auto& [id, w] : impl_->waits) {
    if (w.timer) w.timer->cancel();
  }
  impl_->waits.clear();
  impl_->sub->close();
  if (!impl_->borrowed) impl_->conn->close();
}

}  // namespace vmterm::queue
