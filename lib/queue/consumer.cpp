#include "queue/consumer.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>

#include "queue/detail/message_decode.hpp"
#include "queue/detail/scripts.hpp"
#include "queue/result.hpp"

namespace vmterm::queue {

namespace {

using clock = std::chrono::steady_clock;

timestamp utc_now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

/// The restore payload kombu writes for an unacked entry [envelope, exchange, routing_key]:
/// the envelope with redelivered set in headers and delivery_info (byte-exact as kombu).
std::optional<std::string> restore_payload(const std::string& entry) {
  // An entry the take script wrote: its envelope's bytes are in it as they were taken.
  if (auto env = detail::unacked_envelope(entry)) {
    auto r = mark_redelivered(*env);
    if (r) return std::move(*r);
  }
  json e = json::parse(entry, nullptr, false);
  if (e.is_discarded() || !e.is_array() || e.empty() || !e[0].is_object()) return std::nullopt;
  auto r = mark_redelivered(python_json(e[0]));
  if (!r) return std::nullopt;
  return std::move(*r);
}

std::vector<delivery> parse_take(redis::reply& r, consumer_stats& stats) {
  std::vector<delivery> out;
  auto el = r.release_elements();
  out.reserve(el.size() / 4);
  for (std::size_t i = 0; i + 3 < el.size(); i += 4) {
    delivery d;
    d.tag = el[i].release_text();
    d.raw = el[i + 1].release_text();
    d.queue = el[i + 2].release_text();
    if (d.tag.empty()) {
      d.message = tl::unexpected<poison>(poison{poison_kind::not_json, el[i + 3].text()});
      ++stats.dead_lettered;
    } else {
      d.message = decode_message(d.raw);
      ++stats.taken;
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

struct consumer::impl : std::enable_shared_from_this<consumer::impl> {
  boost::asio::any_io_executor ex;
  consumer_options o;
  std::shared_ptr<redis::connection> conn;
  std::vector<std::string> buckets;
  std::vector<std::string> bucket_queue;  ///< the queue of each bucket
  std::vector<std::shared_ptr<redis::connection>> waiters;
  std::vector<bool> waiting;  ///< a BLMOVE is outstanding on waiters[i]
  boost::asio::steady_timer timer;
  consumer_stats stats;
  bool taking_stopped = false;
  bool released = false;
  bool renewing = false;
  std::size_t wait_max = 0;
  take_fn wait_cb;
  /// Messages a waiter's take brought in while nobody waited (or more than asked for): owned
  /// like any taken message, served first by the next take, given back by stop().
  std::deque<delivery> surplus;
  /// The last take found the buckets empty (it took fewer than it asked for), so the next
  /// take_wait goes straight to the blocking wait (whose take runs behind it).
  bool last_short = false;
  /// The hold list may hold elements no take has drained (at start, after a waiter failed).
  bool hold_dirty = true;
  /// When the last renewal that succeeded was sent: the lease lives at least lease_ttl from
  /// then.
  clock::time_point renewed_at{};
  clock::time_point next_visible{};
  std::string token = uuid4();
  bool recovering = false;

  impl(boost::asio::any_io_executor e, consumer_options opts)
      : ex(std::move(e)), o(std::move(opts)), timer(ex) {
    if (o.queues.empty()) o.queues.push_back("celery");
    for (int step : priority_steps) {
      for (const auto& q : o.queues) {
        buckets.push_back(o.layout.key(bucket_key(q, step)));
        bucket_queue.push_back(q);
      }
    }
    auto ro = o.redis;
    if (ro.client_name.empty()) ro.client_name = "vmterm-consumer";
    conn = redis::connection::create(ex, ro);
  }

  std::string lease_value() const {
    json v = json::object();
    v["worker"] = o.worker;
    v["queues"] = o.queues;
    v["pid"] = static_cast<std::int64_t>(::getpid());
    return python_json(v);
  }

  std::chrono::milliseconds refresh_age() const {
    auto quarter = std::chrono::duration_cast<std::chrono::milliseconds>(o.visibility_timeout) / 4;
    return std::clamp(quarter, o.renew_every, std::chrono::milliseconds(60000));
  }

  void renew(done_fn done) {
    const auto sent = clock::now();
    conn->eval(detail::renew_script(),
               {o.layout.lease(o.worker), o.layout.workers(), o.layout.owned(o.worker),
                o.layout.unacked_index()},
               {std::to_string(o.lease_ttl.count()), lease_value(),
                std::to_string(refresh_age().count()), "10000", o.worker},
               [self = shared_from_this(), sent, done = std::move(done)](expected<redis::reply> r) {
                 if (!r) {
                   if (done) done(tl::unexpected(r.error()));
                   return;
                 }
                 self->renewed_at = std::max(self->renewed_at, sent);
                 const auto& el = r->elements();
                 if (!el.empty() && el[0].integer() == 0 && self->renewing)
                   ++self->stats.lease_lost;
                 self->renewing = true;
                 if (done) done({});
               });
  }

  void tick() {
    if (released) return;
    timer.expires_after(o.renew_every);
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->released) return;
      // The lease is renewed on its own beat: a long recovery (a dead worker's 100,000
      // messages take tens of seconds) runs beside it and never lets our own lease lapse.
      self->renew([self](expected<void>) {
        if (self->released) return;
        self->tick();
        self->recover({});
      });
    });
  }

  // ---- at start: what a killed predecessor under our name left owned goes back
  void adopt(done_fn done) {
    conn->eval(detail::adopt_scan_script(), {o.layout.owned(o.worker), o.layout.unacked()},
               {std::to_string(o.recovery_batch), o.worker},
               [self = shared_from_this(), done = std::move(done)](expected<redis::reply> r) {
                 if (!r) {
                   done(tl::unexpected(r.error()));
                   return;
                 }
                 self->put_back_found(*r, "own", &consumer_stats::adopted, &impl::adopt,
                                      std::move(done));
               });
  }

  /// Puts back the (owner, tag, entry) triples a scan found (mode as restore_script's), counts
  /// them in `counter`, and runs `again` while full batches were put back.
  void put_back_found(const redis::reply& r, const char* mode,
                      std::uint64_t consumer_stats::*counter, void (impl::*again)(done_fn),
                      done_fn done) {
    const auto& el = r.elements();
    if (el.empty()) {
      done({});
      return;
    }
    std::vector<std::string> args{o.layout.prefix, "RPUSH", mode};
    for (std::size_t i = 0; i + 2 < el.size(); i += 3) {
      auto payload = restore_payload(el[i + 2].text());
      if (!payload) continue;  // not kombu JSON: leave it (the scan dead-letters on take)
      args.push_back(el[i].text());
      args.push_back(el[i + 1].text());
      args.push_back(std::move(*payload));
    }
    const bool full = el.size() / 3 >= o.recovery_batch;
    conn->eval(detail::restore_script(), {o.layout.unacked(), o.layout.unacked_index()},
               std::move(args),
               [self = shared_from_this(), full, counter, again,
                done = std::move(done)](expected<redis::reply> n) mutable {
                 if (!n) {
                   done(tl::unexpected(n.error()));
                   return;
                 }
                 const auto k = static_cast<std::uint64_t>(n->integer());
                 self->stats.*counter += k;
                 if (full && k > 0) {
                   ((*self).*again)(std::move(done));
                 } else {
                   done({});
                 }
               });
  }

  // ---- recovery of dead vmterm workers, then (every visible_restore_every) kombu's restore
  void recover(done_fn done) {
    if (recovering) {
      if (done) done({});
      return;
    }
    recovering = true;
    recover_step([self = shared_from_this(), done = std::move(done)](expected<void> r) mutable {
      if (!r || clock::now() < self->next_visible) {
        self->recovering = false;
        if (done) done(r);
        return;
      }
      self->next_visible = clock::now() + self->o.visible_restore_every;
      self->visible_step([self, done = std::move(done)](expected<void> v) {
        self->recovering = false;
        if (done) done(v);
      });
    });
  }

  void recover_step(done_fn done) {
    conn->eval(detail::recover_scan_script(),
               {o.layout.workers(), o.layout.unacked(), o.layout.unacked_index()},
               {o.layout.prefix, std::to_string(o.recovery_batch), o.worker,
                format_iso8601(utc_now()), o.queues.front()},
               [self = shared_from_this(), done = std::move(done)](expected<redis::reply> r) {
                 if (!r) {
                   done(tl::unexpected(r.error()));
                   return;
                 }
                 self->put_back_found(*r, "recover", &consumer_stats::recovered,
                                      &impl::recover_step, std::move(done));
               });
  }

  void visible_step(done_fn done) {
    conn->eval(
        detail::visible_scan_script(),
        {o.layout.unacked_mutex(), o.layout.unacked_index(), o.layout.unacked()},
        {token, std::to_string(o.visibility_timeout.count()), std::to_string(o.recovery_batch)},
        [self = shared_from_this(), done = std::move(done)](expected<redis::reply> r) mutable {
          if (!r) {
            done(tl::unexpected(r.error()));
            return;
          }
          if (r->is_nil()) {  // kombu (or another vmterm worker) is restoring now
            done({});
            return;
          }
          const auto& el = r->elements();
          if (el.size() < 3) {
            self->release_mutex(std::move(done));
            return;
          }
          std::vector<std::string> args{self->o.layout.prefix, "RPUSH", el[0].text()};
          for (std::size_t i = 1; i + 1 < el.size(); i += 2) {
            auto payload = restore_payload(el[i + 1].text());
            if (!payload) continue;
            args.push_back("");
            args.push_back(el[i].text());
            args.push_back(std::move(*payload));
          }
          bool full = (el.size() - 1) / 2 >= self->o.recovery_batch;
          self->conn->eval(
              detail::restore_script(), {self->o.layout.unacked(), self->o.layout.unacked_index()},
              std::move(args),
              [self, full, done = std::move(done)](expected<redis::reply> n) mutable {
                if (!n) {
                  done(tl::unexpected(n.error()));
                  return;
                }
                self->stats.restored_visible += static_cast<std::uint64_t>(n->integer());
                if (full && n->integer() > 0) {
                  self->visible_step(std::move(done));
                } else {
                  self->release_mutex(std::move(done));
                }
              });
        });
  }

  void release_mutex(done_fn done) {
    conn->eval(detail::mutex_release_script(), {o.layout.unacked_mutex()}, {token},
               [done = std::move(done)](expected<redis::reply> r) {
                 if (!r) {
                   done(tl::unexpected(r.error()));
                   return;
                 }
                 done({});
               });
  }

  // ---- take
  std::vector<std::string> take_keys() const {
    std::vector<std::string> keys{o.layout.hold(o.worker), o.layout.owned(o.worker),
                                  o.layout.unacked(), o.layout.unacked_index()};
    keys.insert(keys.end(), buckets.begin(), buckets.end());
    return keys;
  }
  std::vector<std::string> take_args(std::size_t max) const {
    std::vector<std::string> args{std::to_string(max == 0 ? 1 : max), o.layout.key("vmterm.dead."),
                                  o.worker, format_iso8601(utc_now())};
    args.insert(args.end(), bucket_queue.begin(), bucket_queue.end());
    return args;
  }
  /// After a take of up to `max` that brought `n`: fewer means every list it popped from (the
  /// hold list first) was empty.
  void took(std::size_t n, std::size_t max) {
    last_short = n < std::max<std::size_t>(1, max);
    if (last_short) hold_dirty = false;
  }
  std::vector<delivery> from_surplus(std::size_t max) {
    const std::size_t n = std::min(std::max<std::size_t>(1, max), surplus.size());
    std::vector<delivery> out(
        std::make_move_iterator(surplus.begin()),
        std::make_move_iterator(surplus.begin() + static_cast<std::ptrdiff_t>(n)));
    surplus.erase(surplus.begin(), surplus.begin() + static_cast<std::ptrdiff_t>(n));
    return out;
  }

  void take(std::size_t max, take_fn done) {
    if (!surplus.empty()) {
      boost::asio::post(ex, [done = std::move(done), out = from_surplus(max)]() mutable {
        done(std::move(out));
      });
      return;
    }
    conn->eval(
        detail::take_script(), take_keys(), take_args(max),
        [self = shared_from_this(), max, done = std::move(done)](expected<redis::reply> r) mutable {
          if (!r) {
            done(tl::unexpected(r.error()));
            return;
          }
          auto ds = parse_take(*r, self->stats);
          self->took(ds.size(), max);
          done(std::move(ds));
        });
  }

  void take_wait(std::size_t max, take_fn done) {
    if (taking_stopped) {
      done(fail(std::errc::operation_canceled, "consumer '" + o.worker + "': stopped"));
      return;
    }
    if (surplus.empty() && last_short && !hold_dirty) {
      // The buckets were empty at the last take: wait at once (a waiter's BLMOVE returns at
      // once when something came meanwhile, and the take behind it brings it in).
      wait_max = max;
      wait_cb = std::move(done);
      arm_waiters();
      return;
    }
    take(max, [self = shared_from_this(), max,
               done = std::move(done)](expected<std::vector<delivery>> r) mutable {
      if (!r || !r->empty() || self->taking_stopped) {
        done(std::move(r));
        return;
      }
      self->wait_max = max;
      self->wait_cb = std::move(done);
      self->arm_waiters();
    });
  }

  void arm_waiters() {
    if (taking_stopped) {
      fail_wait();
      return;
    }
    if (waiters.empty()) {
      auto ro = o.redis;
      ro.trace_commands = false;  // the idle wait is not a span per BLMOVE
      ro.command_timeout = std::chrono::milliseconds(0);
      ro.client_name = "vmterm-wait";
      for (std::size_t i = 0; i < buckets.size(); ++i) {
        waiters.push_back(redis::connection::create(ex, ro));
        waiting.push_back(false);
      }
    }
    for (std::size_t i = 0; i < waiters.size(); ++i) {
      if (!waiting[i]) blmove(i);
    }
  }

  /// BLMOVE on waiter i with the take script written right behind it on the same connection:
  /// Redis runs the take the moment the BLMOVE returns, so a message that wakes an idle worker
  /// is taken without another round trip (the BLMOVE's element is in the hold list, which the
  /// take drains first).
  void blmove(std::size_t i) {
    waiting[i] = true;
    const std::size_t max = std::max<std::size_t>(1, wait_max);
    auto secs = std::max<std::int64_t>(
        1, std::chrono::duration_cast<std::chrono::seconds>(o.wait_timeout).count());
    waiters[i]->exec(redis::command{"BLMOVE", buckets[i], o.layout.hold(o.worker), "RIGHT", "LEFT",
                                    std::to_string(secs)},
                     [self = shared_from_this()](expected<redis::reply> r) {
                       // nil: timed out; an element: it is in the hold list, and the take
                       // behind this BLMOVE answers next. A failure fails that take too.
                       if (!r) self->hold_dirty = true;
                     });
    waiters[i]->eval(detail::take_script(), take_keys(), take_args(max),
                     [self = shared_from_this(), i, max](expected<redis::reply> r) {
                       self->waiting[i] = false;
                       if (self->released) return;
                       if (!r) {
                         self->hold_dirty = true;
                         if (self->taking_stopped) return self->fail_wait();
                         // connection trouble: lib/redis reconnects; try again shortly
                         auto t = std::make_shared<boost::asio::steady_timer>(self->ex);
                         t->expires_after(std::chrono::milliseconds(100));
                         t->async_wait([self, i, t](boost::system::error_code) {
                           if (self->wait_cb && !self->waiting[i] && !self->taking_stopped)
                             self->blmove(i);
                         });
                         return;
                       }
                       auto ds = parse_take(*r, self->stats);
                       self->took(ds.size(), max);
                       if (!ds.empty() && clock::now() - self->renewed_at > self->o.lease_ttl / 2) {
                         // Redis may have run this take long before we read its answer (the process
                         // was stopped): if the lease lapsed meanwhile, a recovery may have given
                         // these back.
                         return self->keep_owned(std::move(ds), i);
                       }
                       self->taken_by_waiter(std::move(ds), i);
                     });
  }

  /// Keeps what a waiter's take brought in, then serves a pending wait or waits on.
  void taken_by_waiter(std::vector<delivery> ds, std::size_t i) {
    for (auto& d : ds) surplus.push_back(std::move(d));
    if (taking_stopped) {
      give_back_surplus();
      return fail_wait();
    }
    if (!wait_cb) return;  // kept for the next take
    if (surplus.empty()) {
      blmove(i);  // timed out, or another take had it first: wait on
      return;
    }
    auto cb = std::move(wait_cb);
    wait_cb = nullptr;
    cb(from_surplus(wait_max));
  }

  /// Renews the lease and keeps only the deliveries still owned (see owned_check_script).
  void keep_owned(std::vector<delivery> ds, std::size_t i) {
    std::vector<std::string> args{std::to_string(o.lease_ttl.count()), lease_value()};
    for (const auto& d : ds) args.push_back(d.tag.empty() ? std::string("-") : d.tag);
    const auto sent = clock::now();
    conn->eval(
        detail::owned_check_script(), {o.layout.lease(o.worker), o.layout.owned(o.worker)},
        std::move(args),
        [self = shared_from_this(), i, sent, ds = std::move(ds)](expected<redis::reply> r) mutable {
          if (self->released) return;
          if (!r || r->elements().size() != ds.size()) {
            // Redis trouble: ask again shortly (they stay owned meanwhile)
            auto t = std::make_shared<boost::asio::steady_timer>(self->ex);
            t->expires_after(std::chrono::milliseconds(100));
            t->async_wait([self, i, t, ds = std::move(ds)](boost::system::error_code) mutable {
              if (!self->released) self->keep_owned(std::move(ds), i);
            });
            return;
          }
          self->renewed_at = std::max(self->renewed_at, sent);
          std::vector<delivery> mine;
          const auto& el = r->elements();
          for (std::size_t k = 0; k < ds.size(); ++k) {
            // a dead-lettered element (no tag) is only reported
            if (ds[k].tag.empty() || el[k].integer() == 1) mine.push_back(std::move(ds[k]));
          }
          self->stats.taken -= std::min<std::uint64_t>(self->stats.taken, ds.size() - mine.size());
          self->taken_by_waiter(std::move(mine), i);
        });
  }

  /// What the waiters brought in and nobody ran goes back to its queue (redelivered, at the
  /// head: consumed next), as a warm shutdown gives back prefetched messages.
  void give_back_surplus() {
    if (surplus.empty()) return;
    std::vector<delivery> back(std::make_move_iterator(surplus.begin()),
                               std::make_move_iterator(surplus.end()));
    surplus.clear();
    put_back(back, "RPUSH", false, [](expected<void>) {});
  }

  void fail_wait() {
    if (!wait_cb) return;
    auto cb = std::move(wait_cb);
    wait_cb = nullptr;
    cb(fail(std::errc::operation_canceled, "consumer '" + o.worker + "': stopped"));
  }

  // ---- ack & co
  void ack(std::vector<std::string> tags, done_fn done) {
    if (tags.empty()) {
      boost::asio::post(ex, [done = std::move(done)] { done({}); });
      return;
    }
    auto n = tags.size();
    redis::command zrem{"ZREM", o.layout.unacked_index()};
    redis::command hdel{"HDEL", o.layout.unacked()};
    redis::command zrem_owned{"ZREM", o.layout.owned(o.worker)};
    for (const auto& t : tags) {
      zrem.arg(t);
      hdel.arg(t);
      zrem_owned.arg(t);
    }
    std::vector<redis::command> cmds;
    cmds.push_back(redis::command{"MULTI"});
    cmds.push_back(std::move(zrem));
    cmds.push_back(std::move(hdel));
    cmds.push_back(std::move(zrem_owned));
    cmds.push_back(redis::command{"EXEC"});
    conn->pipeline(std::move(cmds), [self = shared_from_this(), n, done = std::move(done)](
                                        expected<std::vector<redis::reply>> r) {
      if (!r) {
        done(tl::unexpected(r.error()));
        return;
      }
      for (const auto& x : *r) {
        if (x.is_error()) {
          done(fail(std::errc::io_error,
                    "redis '" + self->o.redis.url.redacted() + "': ack: " + x.text()));
          return;
        }
      }
      self->stats.acked += n;
      done({});
    });
  }

  void store_and_ack(const std::vector<result_meta>& results, int results_db,
                     std::chrono::seconds expires, std::vector<std::string> tags, done_fn done) {
    if (results.empty() && tags.empty()) {
      boost::asio::post(ex, [done = std::move(done)] { done({}); });
      return;
    }
    std::vector<std::string> keys{o.layout.unacked_index(), o.layout.unacked(),
                                  o.layout.owned(o.worker)};
    std::vector<std::string> args{std::to_string(o.redis.url.db), std::to_string(results_db),
                                  std::to_string(expires.count())};
    keys.reserve(keys.size() + results.size());
    args.reserve(args.size() + results.size() + tags.size());
    for (const auto& m : results) {
      keys.push_back(result_key(m.task_id));
      args.push_back(encode_result(m));
    }
    const auto n = tags.size();
    for (auto& t : tags) args.push_back(std::move(t));
    conn->eval(detail::store_ack_script(), std::move(keys), std::move(args),
               [self = shared_from_this(), n, done = std::move(done)](expected<redis::reply> r) {
                 if (!r) return done(tl::unexpected(r.error()));
                 self->stats.acked += n;
                 done({});
               });
  }

  void put_back(const std::vector<delivery>& ds, const char* cmd, bool requeue, done_fn done) {
    std::vector<std::string> args{o.layout.prefix, cmd, "own"};
    for (const auto& d : ds) {
      auto payload = mark_redelivered(d.raw);
      if (!payload) continue;  // not JSON: such elements never reach unacked
      args.push_back(o.worker);
      args.push_back(d.tag);
      args.push_back(std::move(*payload));
    }
    conn->eval(
        detail::restore_script(), {o.layout.unacked(), o.layout.unacked_index()}, std::move(args),
        [self = shared_from_this(), requeue, done = std::move(done)](expected<redis::reply> r) {
          if (!r) {
            done(tl::unexpected(r.error()));
            return;
          }
          if (requeue) self->stats.requeued += static_cast<std::uint64_t>(r->integer());
          done({});
        });
  }

  void multi_then_ack(std::vector<redis::command> first, const delivery& d, done_fn done,
                      std::uint64_t consumer_stats::*counter) {
    std::vector<redis::command> cmds;
    cmds.push_back(redis::command{"MULTI"});
    for (auto& c : first) cmds.push_back(std::move(c));
    cmds.push_back(redis::command{"ZREM", o.layout.unacked_index(), d.tag});
    cmds.push_back(redis::command{"HDEL", o.layout.unacked(), d.tag});
    cmds.push_back(redis::command{"ZREM", o.layout.owned(o.worker), d.tag});
    cmds.push_back(redis::command{"EXEC"});
    conn->pipeline(std::move(cmds), [self = shared_from_this(), counter, done = std::move(done)](
                                        expected<std::vector<redis::reply>> r) {
      if (!r) {
        done(tl::unexpected(r.error()));
        return;
      }
      for (const auto& x : *r) {
        if (x.is_error()) {
          done(fail(std::errc::io_error,
                    "redis '" + self->o.redis.url.redacted() + "': " + x.text()));
          return;
        }
      }
      ++(self->stats.*counter);
      done({});
    });
  }
};

// ---------------------------------------------------------------- consumer

consumer::consumer(std::shared_ptr<impl> p) : impl_(std::move(p)) {}
consumer::~consumer() {
  // Break every cycle through the connections: a command in flight holds its connection, whose
  // batch holds our callback, which holds impl, which holds the connection. close() fails what
  // is in flight (on a later turn, or destroys it with the io_context), so nothing outlives us.
  if (impl_) {
    impl_->released = true;
    impl_->taking_stopped = true;
    impl_->wait_cb = nullptr;  // the owner is going: its callback is not called
    impl_->timer.cancel();
    for (auto& w : impl_->waiters) w->close();
    impl_->conn->close();
  }
}

std::shared_ptr<consumer> consumer::create(boost::asio::any_io_executor executor,
                                           consumer_options options) {
  return std::shared_ptr<consumer>(
      new consumer(std::make_shared<impl>(std::move(executor), std::move(options))));
}

void consumer::start(done_fn done) {
  auto p = impl_;
  p->conn->async_connect([p, done = std::move(done)](expected<void> c) mutable {
    if (!c) {
      done(std::move(c));
      return;
    }
    p->renew([p, done = std::move(done)](expected<void> r) mutable {
      if (!r) {
        done(std::move(r));
        return;
      }
      p->adopt([p, done = std::move(done)](expected<void> a) mutable {
        if (!a) {
          done(std::move(a));
          return;
        }
        p->recover([p, done = std::move(done)](expected<void> v) mutable {
          p->tick();
          done(std::move(v));
        });
      });
    });
  });
}

void consumer::take(std::size_t max, take_fn done) { impl_->take(max, std::move(done)); }
void consumer::take_wait(std::size_t max, take_fn done) { impl_->take_wait(max, std::move(done)); }
void consumer::fetch(std::vector<std::string> tags, std::vector<std::string> queues, take_fn done) {
  if (tags.empty()) {
    boost::asio::post(impl_->ex, [done = std::move(done)] { done(std::vector<delivery>{}); });
    return;
  }
  redis::command hmget{"HMGET", impl_->o.layout.unacked()};
  for (const auto& t : tags) hmget.arg(t);
  impl_->conn->exec(std::move(hmget), [tags = std::move(tags), queues = std::move(queues),
                                       done = std::move(done)](expected<redis::reply> r) mutable {
    if (!r) {
      done(tl::unexpected(r.error()));
      return;
    }
    auto el = r->release_elements();
    std::vector<delivery> out;
    out.reserve(el.size());
    for (std::size_t i = 0; i < el.size() && i < tags.size(); ++i) {
      if (el[i].is_nil()) continue;
      const auto entry = el[i].release_text();
      auto env = detail::unacked_envelope(entry);
      if (!env) continue;  // not an entry the take script wrote: the restore paths handle it
      delivery d;
      d.tag = std::move(tags[i]);
      d.raw = std::string(*env);
      d.queue = i < queues.size() ? std::move(queues[i]) : std::string("celery");
      d.message = decode_message(d.raw);
      out.push_back(std::move(d));
    }
    done(std::move(out));
  });
}
void consumer::give_back_tags(std::vector<std::string> tags, done_fn done) {
  if (tags.empty()) {
    boost::asio::post(impl_->ex, [done = std::move(done)] { done({}); });
    return;
  }
  redis::command hmget{"HMGET", impl_->o.layout.unacked()};
  for (const auto& t : tags) hmget.arg(t);
  impl_->conn->exec(std::move(hmget), [self = impl_, tags = std::move(tags),
                                       done = std::move(done)](expected<redis::reply> r) mutable {
    if (!r) {
      done(tl::unexpected(r.error()));
      return;
    }
    const auto& el = r->elements();
    std::vector<std::string> args{self->o.layout.prefix, "RPUSH", "own"};
    args.reserve(3 + 3 * el.size());
    for (std::size_t i = 0; i < el.size() && i < tags.size(); ++i) {
      if (el[i].is_nil()) continue;
      auto payload = restore_payload(el[i].text());
      if (!payload) continue;  // not JSON: the restore paths handle it
      args.push_back(self->o.worker);
      args.push_back(std::move(tags[i]));
      args.push_back(std::move(*payload));
    }
    if (args.size() == 3) {
      done({});
      return;
    }
    self->conn->eval(detail::restore_script(),
                     {self->o.layout.unacked(), self->o.layout.unacked_index()}, std::move(args),
                     [done = std::move(done)](expected<redis::reply> x) {
                       if (!x) {
                         done(tl::unexpected(x.error()));
                         return;
                       }
                       done({});
                     });
  });
}
void consumer::ack(std::vector<std::string> tags, done_fn done) {
  impl_->ack(std::move(tags), std::move(done));
}
void consumer::store_and_ack(const std::vector<result_meta>& results, int results_db,
                             std::chrono::seconds expires, std::vector<std::string> tags,
                             done_fn done) {
  impl_->store_and_ack(results, results_db, expires, std::move(tags), std::move(done));
}
void consumer::requeue(const delivery& d, done_fn done) {
  impl_->put_back({d}, "LPUSH", true, std::move(done));
}
void consumer::give_back(const std::vector<delivery>& ds, done_fn done) {
  impl_->put_back(ds, "RPUSH", false, std::move(done));
}
void consumer::dead_letter(const delivery& d, std::string reason, done_fn done) {
  auto env = dead_letter_envelope(d.raw, d.queue, reason, impl_->o.worker, utc_now());
  std::vector<redis::command> first;
  first.push_back(redis::command{"LPUSH", impl_->o.layout.dead(d.queue), env});
  impl_->multi_then_ack(std::move(first), d, std::move(done), &consumer_stats::dead_lettered);
}
void consumer::retry(const delivery& d, const task_message& next, done_fn done) {
  std::vector<redis::command> first;
  first.push_back(redis::command{"LPUSH",
                                 impl_->o.layout.key(bucket_key(next.routing_key, next.priority)),
                                 encode_message(next)});
  impl_->multi_then_ack(std::move(first), d, std::move(done), &consumer_stats::acked);
}
void consumer::recover_now(done_fn done) {
  impl_->next_visible = {};
  impl_->recover(std::move(done));
}
void consumer::stop() noexcept {
  impl_->taking_stopped = true;
  for (auto& w : impl_->waiters) w->close();
  impl_->give_back_surplus();
  impl_->fail_wait();
}
void consumer::release(done_fn done) {
  auto p = impl_;
  p->taking_stopped = true;
  for (auto& w : p->waiters) w->close();
  p->give_back_surplus();  // ahead of the release script on the same connection
  p->fail_wait();
  p->conn->eval(detail::release_script(),
                {p->o.layout.lease(p->o.worker), p->o.layout.workers(),
                 p->o.layout.hold(p->o.worker), p->o.layout.owned(p->o.worker)},
                {p->o.worker, p->o.queues.front(), p->o.layout.prefix},
                [p, done = std::move(done)](expected<redis::reply> r) {
                  p->released = true;
                  p->timer.cancel();
                  // Released: nothing more goes over these (an ack or give_back still queued
                  // fails as canceled); closing ends the cycle through what is in flight.
                  for (auto& w : p->waiters) w->close();
                  p->conn->close();
                  if (!r) {
                    done(tl::unexpected(r.error()));
                    return;
                  }
                  done({});
                });
}
const consumer_stats& consumer::stats() const noexcept { return impl_->stats; }
const consumer_options& consumer::options() const noexcept { return impl_->o; }

// ---------------------------------------------------------------- inspect helpers

void list_workers(redis::connection& conn, const queue::layout& layout,
                  std::function<void(expected<std::vector<worker_info>>)> done) {
  auto c = conn.shared_from_this();
  c->exec(redis::command{"ZRANGE", layout.workers(), "0", "-1"},
          [c, layout, done = std::move(done)](expected<redis::reply> r) mutable {
            if (!r) {
              done(tl::unexpected(r.error()));
              return;
            }
            std::vector<worker_info> ws;
            std::vector<redis::command> cmds;
            for (const auto& e : r->elements()) {
              worker_info w;
              w.name = e.text();
              cmds.push_back(redis::command{"GET", layout.lease(w.name)});
              cmds.push_back(redis::command{"ZCARD", layout.owned(w.name)});
              ws.push_back(std::move(w));
            }
            if (ws.empty()) {
              done(std::move(ws));
              return;
            }
            c->pipeline(std::move(cmds), [ws = std::move(ws), done = std::move(done)](
                                             expected<std::vector<redis::reply>> rs) mutable {
              if (!rs) {
                done(tl::unexpected(rs.error()));
                return;
              }
              for (std::size_t i = 0; i < ws.size() && 2 * i + 1 < rs->size(); ++i) {
                const auto& lease = (*rs)[2 * i];
                ws[i].alive = !lease.is_nil();
                ws[i].lease_value = lease.is_nil() ? "" : lease.text();
                ws[i].owned = (*rs)[2 * i + 1].integer();
              }
              done(std::move(ws));
            });
          });
}

void queue_depths(redis::connection& conn, const queue::layout& layout,
                  std::vector<std::string> queues,
                  std::function<void(expected<std::vector<queue_depth>>)> done) {
  auto c = conn.shared_from_this();
  std::vector<redis::command> cmds;
  for (const auto& q : queues) {
    for (int step : priority_steps)
      cmds.push_back(redis::command{"LLEN", layout.key(bucket_key(q, step))});
    cmds.push_back(redis::command{"LLEN", layout.dead(q)});
  }
  c->pipeline(std::move(cmds), [c, queues = std::move(queues), done = std::move(done)](
                                   expected<std::vector<redis::reply>> rs) mutable {
    if (!rs) {
      done(tl::unexpected(rs.error()));
      return;
    }
    std::vector<queue_depth> out;
    std::size_t i = 0;
    for (const auto& q : queues) {
      queue_depth d;
      d.queue = q;
      for (int k = 0; k < 4 && i < rs->size(); ++k) d.ready += (*rs)[i++].integer();
      if (i < rs->size()) d.dead = (*rs)[i++].integer();
      out.push_back(std::move(d));
    }
    done(std::move(out));
  });
}

}  // namespace vmterm::queue
