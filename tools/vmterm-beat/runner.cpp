#include "runner.hpp"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <iostream>
#include <map>
#include <memory>
#include <queue>
#include <random>
#include <unordered_map>

#include "beat_metrics.hpp"
#include "core/exit_code.hpp"
#include "core/log.hpp"
#include "http/metrics_endpoint.hpp"
#include "http/metrics_flags.hpp"
#include "metrics/process_metrics.hpp"
#include "metrics/registry.hpp"
#include "queue/layout.hpp"
#include "queue/message.hpp"
#include "queue/producer.hpp"
#include "queue/tracing.hpp"
#include "redis/connection.hpp"
#include "redis/script.hpp"
#include "schedule/beat_redis.hpp"
#include "schedule/evaluator.hpp"
#include "schedule/leader_lease.hpp"
#include "schedule/schedule_file.hpp"
#include "trace/context.hpp"
#include "trace/provider.hpp"

namespace vmterm::beat {

namespace {

namespace net = boost::asio;
using namespace std::chrono;
using steady = steady_clock;
using schedule::sys_ms;

const redis::script& send_script() {
  static const redis::script s("vmterm.beat.send_tick", std::string(schedule::send_tick_lua));
  return s;
}
const redis::script& extend_script() {
  static const redis::script s("vmterm.beat.extend_lease", std::string(schedule::extend_lease_lua));
  return s;
}
const redis::script& release_script() {
  static const redis::script s("vmterm.beat.release_lease",
                               std::string(schedule::release_lease_lua));
  return s;
}

sys_ms now_sys() { return time_point_cast<milliseconds>(system_clock::now()); }

/// The steady-clock instant of a system-clock time, to the microsecond (not to the truncated
/// millisecond of now_sys(), which made every wake up to 1 ms late).
steady::time_point steady_at(sys_ms t) {
  return steady::now() + duration_cast<steady::duration>(t - system_clock::now());
}

/// How long before a tick is due the beat wakes to build its message and open its span, so
/// that at the due instant only the send is left to do.
constexpr milliseconds build_ahead{3};

std::string make_token() {
  std::random_device rd;
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  return std::string(host.data()) + ":" + std::to_string(::getpid()) + ":" + std::to_string(rd());
}

/// How many ticks go in one EVALSHA: enough that 10,000 entries at 1 s are ~40 round trips a
/// second, small enough that one script holds Redis for well under a millisecond.
constexpr std::size_t batch_limit = 256;

/// Batches sent and not yet answered, at most. The rest of the due ticks wait in the heap
/// (unbuilt) until Redis answers one: two keep Redis busy while the next is built, and a beat
/// that falls behind (an overloaded machine: all 10,000 entries due at one instant) no longer
/// encodes every due tick at once into hiredis's output buffer (~8 MB; peak RSS 34 MiB in the
/// bench at load 9.8, 18 MiB at load 3).
constexpr std::size_t max_batches_in_flight = 2;

class beat : public std::enable_shared_from_this<beat> {
 public:
  beat(net::io_context& ioc, std::shared_ptr<redis::connection> conn,
       std::vector<schedule::entry> entries, schedule::time_zone tz, const run_options& opt,
       beat_metrics& m)
      : ioc_(ioc),
        m_(m),
        timer_(ioc),
        send_timer_(ioc),
        conn_(std::move(conn)),
        tz_(std::move(tz)),
        opt_(opt),
        lease_(opt.lease, std::min(opt.lease / 5, milliseconds(1000))),
        token_(make_token()),
        origin_(queue::default_origin()),
        tracer_(trace::get_tracer("vmterm.beat")) {
    keys_.prefix = opt.prefix;
    catch_up_ = opt.lease * 3;
    started_ = now_sys();
    set_entries(std::move(entries));
    m_.leader.labels().set(0);
  }

  void start() {
    conn_->on_state_change([self = shared_from_this()](redis::connection_state s) {
      if (s != redis::connection_state::ready &&
          self->lease_.state() == schedule::lease_state::leading) {
        // Redis lost while leading: no send without a valid lease.
        self->lease_.lost(steady::now());
        self->loaded_ = false;
        self->stepped_down();
        log::warn("redis lost while leading; stopped sending until the lease is held again");
      }
      self->arm(steady::now());
    });
    arm(steady::now());
  }

  void reload(std::vector<schedule::entry> entries) {
    set_entries(std::move(entries));
    log::info("schedule reloaded", {{"entries", static_cast<std::uint64_t>(entries_.size())}});
    arm(steady::now());
  }

  /// Releases the lease (if ours) and stops; `done` runs after.
  void stop(std::function<void()> done) {
    stopping_ = true;
    timer_.cancel();
    send_timer_.cancel();
    const bool leading = lease_.state() == schedule::lease_state::leading;
    lease_.released();
    if (!leading || conn_->state() != redis::connection_state::ready) {
      done();
      return;
    }
    conn_->eval(release_script(), {keys_.leader()}, {token_},
                [done = std::move(done)](expected<redis::reply>) { done(); });
  }

 private:
  /// One tick on its way: the message is built, its PRODUCER span open.
  struct pending_tick {
    std::size_t index;  ///< into entries_ of generation `generation`
    std::string name;
    sys_ms tick;
    std::shared_ptr<trace::span> span;
  };
  struct batch {
    std::uint64_t generation = 0;
    std::vector<pending_tick> ticks;
    std::vector<std::string> keys;
    std::vector<std::string> args;
  };
  /// (when to look at the entry next, index): a min-heap, so a wake costs the entries that
  /// are due, not all of them.
  using due_item = std::pair<sys_ms, std::size_t>;

  void set_entries(std::vector<schedule::entry> entries) {
    entries_ = std::move(entries);
    ++generation_;
    in_flight_.assign(entries_.size(), 0);
    rebuild_heap();
    m_.entries.labels().set(static_cast<double>(entries_.size()));
  }

  /// The entries whose missed ticks one wake coalesced: logged as one line per wake, not one
  /// per entry (a beat 15 s behind with 10,000 entries would log 10,000 lines a second).
  struct coalesced_note {
    std::string first_entry;
    std::uint64_t entries = 0, ticks = 0;
    bool at_least = false;
    void note(const std::string& entry, std::uint64_t n, bool more) {
      if (entries++ == 0) first_entry = entry;
      ticks += n;
      at_least = at_least || more;
    }
  };

  /// At the end of a wake that looked at due ticks: the coalesced ticks' log line, the
  /// behind-seconds gauge, and (at most every 10 s) a warning while the beat is behind.
  struct report_on_exit {
    beat& b;
    sys_ms sys_now;
    report_on_exit(beat& self, sys_ms now) : b(self), sys_now(now) {
      b.behind_ = milliseconds(0);
      b.wake_coalesced_ = {};
    }
    report_on_exit(const report_on_exit&) = delete;
    report_on_exit& operator=(const report_on_exit&) = delete;
    ~report_on_exit() { b.report_wake(sys_now); }
  };

  void report_wake(sys_ms sys_now) noexcept {
    const auto& c = wake_coalesced_;
    if (c.entries == 1) {
      log::info("missed ticks coalesced into one",
                {{"entry", c.first_entry}, {"coalesced", c.ticks}, {"at_least", c.at_least}});
    } else if (c.entries > 1) {
      log::info("missed ticks coalesced into one", {{"entries", c.entries},
                                                    {"coalesced", c.ticks},
                                                    {"at_least", c.at_least},
                                                    {"first_entry", c.first_entry}});
    }
    m_.behind.labels().set(duration<double>(behind_).count());
    if (behind_ >= seconds(1) && sys_now - last_behind_log_ >= seconds(10)) {
      last_behind_log_ = sys_now;
      log::warn(
          "behind schedule: due ticks are sent late (or coalesced past three leases)",
          {{"behind_ms", behind_.count()}, {"coalesced_total", coalesced_}, {"sent_total", sent_}});
    }
  }

  /// Every entry is looked at on the next wake (after a reload or a change of leadership).
  void rebuild_heap() {
    std::vector<due_item> all;
    all.reserve(entries_.size());
    for (std::size_t i = 0; i < entries_.size(); ++i) all.emplace_back(sys_ms::min(), i);
    heap_ = decltype(heap_)(std::greater<>(), std::move(all));
  }

  void stepped_down() {
    m_.losses.labels().inc();
    m_.leader.labels().set(0);
  }

  void arm(steady::time_point at) {
    if (stopping_) return;
    timer_.expires_at(at);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->stopping_) return;
      self->wake();
    });
  }

  void wake() {
    const auto now = steady::now();
    auto next = now + opt_.max_interval;
    // 1. the lease
    const auto act = lease_.next(now);
    if (!lease_call_ && act.at <= now && conn_->state() == redis::connection_state::ready) {
      call_lease(act.what, now);
    } else if (!lease_call_) {
      next = std::min(next, act.at);
    }
    // 2. last_run_at from Redis, once per leadership (retried until it answers)
    if (lease_.state() == schedule::lease_state::leading && !loaded_ && !loading_) load_last_run();
    // 3. the ticks that are due (on_sent wakes the loop when a batch in flight is answered)
    if (lease_.may_send(now) && loaded_ && batches_in_flight_ < max_batches_in_flight) {
      const auto sys_now = now_sys();
      const report_on_exit report(*this, sys_now);
      batch b;
      while (!heap_.empty() && heap_.top().first <= sys_now) {
        const auto i = heap_.top().second;
        heap_.pop();
        if (in_flight_[i] > 0) continue;  // looked at again when its send is answered
        const auto& e = entries_[i];
        auto [it, fresh] = last_.try_emplace(e.name, started_);
        const auto d = schedule::decide(e, it->second, sys_now, tz_);
        if (!d.due) {
          heap_.emplace(d.next, i);
          continue;
        }
        add_ticks(b, i, it->second, d, sys_now);
        if (b.ticks.size() >= batch_limit && !heap_.empty() && heap_.top().first <= sys_now) {
          // More are due: send this batch now and build the next on the next turn of the
          // loop, so Redis works on this one meanwhile (hiredis writes only when we return).
          flush(std::move(b));
          arm(now);
          return;
        }
      }
      if (!b.ticks.empty()) flush(std::move(b));
      if (!prebuilt_) build_ahead_of(sys_now);
      if (!heap_.empty()) next = std::min(next, steady_at(heap_.top().first) - build_ahead);
    }
    arm(std::max(next, now + milliseconds(1)));
  }

  /// The ticks due next, when that is within build_ahead: their batch is built now and sent
  /// by a timer at the due instant (if the lease still allows it then).
  void build_ahead_of(sys_ms sys_now) {
    if (heap_.empty()) return;
    const auto at = heap_.top().first;
    if (at <= sys_now || at > sys_now + build_ahead) return;
    batch b;
    while (!heap_.empty() && heap_.top().first == at && b.ticks.size() < batch_limit) {
      const auto i = heap_.top().second;
      heap_.pop();
      if (in_flight_[i] > 0) continue;
      const auto& e = entries_[i];
      auto [it, fresh] = last_.try_emplace(e.name, started_);
      const auto d = schedule::decide(e, it->second, at, tz_);
      if (!d.due) {
        heap_.emplace(std::max(d.next, at + milliseconds(1)), i);
        continue;
      }
      add_ticks(b, i, it->second, d, at);
    }
    if (b.ticks.empty()) return;
    prebuilt_ = true;
    send_timer_.expires_at(steady_at(at));
    send_timer_.async_wait([self = shared_from_this(), b = std::make_shared<batch>(std::move(b))](
                               boost::system::error_code ec) {
      self->prebuilt_ = false;
      if (ec || self->stopping_ || b->generation != self->generation_ || !self->loaded_ ||
          !self->lease_.may_send(steady::now())) {
        self->unsent(*b);
        if (!self->stopping_) self->arm(steady::now());
        return;
      }
      self->flush(std::move(*b));
    });
  }

  /// A built batch that was not sent (lease lost or reload meanwhile): its entries are decided
  /// again on the next wake; their spans say so.
  void unsent(batch& b) {
    const bool current = b.generation == generation_;
    for (auto& t : b.ticks) {
      if (current && in_flight_[t.index] > 0 && --in_flight_[t.index] == 0) {
        heap_.emplace(t.tick, t.index);
      }
      t.span->set_attribute("vmterm.beat.sent", false);
      t.span->end();
    }
  }

  void call_lease(schedule::leader_lease::action::kind what, steady::time_point sent_at) {
    lease_call_ = true;
    auto self = shared_from_this();
    const auto on_reply = [self, sent_at, what](expected<redis::reply> r) {
      self->lease_call_ = false;
      const auto now = steady::now();
      const bool ok = r && !r->is_error() &&
                      (what == schedule::leader_lease::action::kind::acquire ? !r->is_nil()
                                                                             : r->integer() == 1);
      const bool was_leading = self->lease_.state() == schedule::lease_state::leading;
      if (ok) {
        self->lease_.held(sent_at);
        self->m_.renewals.labels().inc();
        self->m_.leader.labels().set(1);
        if (!was_leading) {
          log::info("leading: holds the lease", {{"token", self->token_}});
          self->loaded_ = false;
        }
      } else if (!r) {
        self->lease_.lost(now);
        if (was_leading) {
          self->stepped_down();
          log::warn("lease call failed; stepped down", {{"error", r.error().message}});
        }
      } else {
        self->lease_.refused(now);
        if (was_leading) {
          self->stepped_down();
          log::warn("lease lost to another beat; stepped down");
        }
      }
      self->arm(now);
    };
    if (what == schedule::leader_lease::action::kind::acquire) {
      conn_->exec(redis::command{"SET", keys_.leader(), token_, "NX", "PX",
                                 std::to_string(opt_.lease.count())},
                  on_reply);
    } else {
      conn_->eval(extend_script(), {keys_.leader()}, {token_, std::to_string(opt_.lease.count())},
                  on_reply);
    }
  }

  void load_last_run() {
    loading_ = true;
    conn_->exec(redis::command{"HGETALL", keys_.last_run_at()},
                [self = shared_from_this()](expected<redis::reply> r) {
                  self->loading_ = false;
                  if (!r || r->is_error()) return;  // the next wake retries
                  const auto& el = r->elements();
                  for (std::size_t i = 0; i + 1 < el.size(); i += 2) {
                    try {
                      self->last_[el[i].text()] =
                          sys_ms(milliseconds(std::stoll(el[i + 1].text())));
                    } catch (const std::exception&) {
                    }
                  }
                  self->loaded_ = true;
                  self->rebuild_heap();
                  self->arm(steady::now());
                });
  }

  /// Adds the due tick of entry i to the batch; ticks missed for less than catch_up_ (a
  /// takeover after a beat died) go one by one, older ones are coalesced into the latest, as
  /// Celery does.
  void add_ticks(batch& b, std::size_t i, sys_ms last, const schedule::tick_decision& d,
                 sys_ms sys_now) {
    const auto& e = entries_[i];
    std::vector<sys_ms> ticks;
    if (d.coalesced > 0 && sys_now - last <= catch_up_) {
      ticks = schedule::due_between(e, last, sys_now, tz_, 10'000);
    }
    if (ticks.empty() || ticks.back() != d.tick) {
      ticks = {d.tick};
      if (d.coalesced > 0) {
        // Each folded tick is counted: every due tick is sent, skipped or coalesced.
        coalesced_ += d.coalesced;
        m_.coalesced.labels(e.name).inc(static_cast<double>(d.coalesced));
        wake_coalesced_.note(e.name, d.coalesced, d.coalesced_at_least);
      }
    }
    // How late the oldest due tick is: the first one after last_run_at, sent or coalesced.
    const auto oldest = d.coalesced > 0 ? schedule::next_due(e, last, tz_) : d.tick;
    behind_ = std::max(behind_, sys_now - std::min(oldest, ticks.front()));
    const auto between = d.next - d.tick;
    in_flight_[i] = ticks.size();
    b.generation = generation_;
    for (const auto tick : ticks) add_tick(b, i, tick, between);
  }

  void add_tick(batch& b, std::size_t i, sys_ms tick, milliseconds between) {
    const auto& e = entries_[i];
    const auto due = tick.time_since_epoch().count();
    queue::send_options o;
    o.task = e.task;
    o.args = e.args_json();
    o.kwargs = e.kwargs_json();
    o.queue = e.queue;
    o.priority = e.priority.value_or(0);
    o.expires_in = duration_cast<microseconds>(e.expires.value_or(between));
    o.extra_headers = queue::json::object();
    o.extra_headers["x-vmterm-beat-tick"] = std::to_string(due);
    auto m = queue::make_message(o, time_point_cast<microseconds>(system_clock::now()), origin_);
    trace::span_options so;
    so.kind = trace::span_kind::producer;
    so.new_root = true;  // each tick is a trace of its own
    auto span = tracer_.start_span(queue::producer_span_name(e.task), so);
    queue::set_producer_attributes(span, m);
    span.set_attribute("vmterm.beat.entry", e.name);
    queue::inject(trace::context{span.context(), {}}, m);
    if (b.keys.empty()) b.keys = {keys_.leader(), keys_.last_run_at()};
    if (b.args.empty()) b.args = {token_};
    b.keys.insert(b.keys.end(), {keys_.tick(e.name, due), queue::bucket_key(e.queue, o.priority),
                                 layout_.binding(e.queue)});
    b.args.insert(b.args.end(),
                  {e.name, std::to_string(due), std::to_string(schedule::tick_ttl(between).count()),
                   queue::encode_message(m), queue::layout::binding_member(e.queue)});
    b.ticks.push_back({i, e.name, tick, std::make_shared<trace::span>(std::move(span))});
  }

  /// One EVALSHA for the batch; its CLIENT span is the first tick's child (with one entry
  /// due, the common case, the tree is apply_async → EVALSHA as for a single send).
  void flush(batch b) {
    const trace::context ctx{b.ticks.front().span->context(), {}};
    trace::context_scope scope(ctx);
    auto keys = std::move(b.keys);
    auto args = std::move(b.args);
    b.keys.clear();
    b.args.clear();
    ++batches_in_flight_;
    conn_->eval(send_script(), std::move(keys), std::move(args),
                [self = shared_from_this(), b = std::make_shared<batch>(std::move(b))](
                    expected<redis::reply> r) { self->on_sent(*b, std::move(r)); });
  }

  void on_sent(batch& b, expected<redis::reply> r) {
    --batches_in_flight_;
    const bool current = b.generation == generation_;
    const auto answered = now_sys();
    const bool is_array = r && r->type() == redis::reply_type::array;
    const bool fenced = r && r->type() == redis::reply_type::integer && r->integer() == -1;
    const bool failed = !r || r->is_error() || (!fenced && !is_array);
    for (std::size_t k = 0; k < b.ticks.size(); ++k) {
      auto& t = b.ticks[k];
      if (current && in_flight_[t.index] > 0 && --in_flight_[t.index] == 0) {
        heap_.emplace(answered, t.index);  // decide() again: the next due time
      }
      if (failed) {
        t.span->set_status(trace::status_code::error, "send failed");
        t.span->end();
        ++failed_;
        m_.failed.labels(t.name).inc();
        continue;
      }
      if (fenced) {
        t.span->set_attribute("vmterm.beat.sent", false);
        t.span->end();
        continue;
      }
      const auto& el = r->elements();
      const bool sent = k < el.size() && el[k].integer() == 1;
      t.span->set_attribute("vmterm.beat.sent", sent);
      t.span->end();
      auto& last = last_[t.name];
      last = std::max(last, t.tick);
      if (sent) {
        ++sent_;
        m_.sent.labels(t.name).inc();
        m_.lateness.labels().observe(
            std::max<double>(0, duration<double>(answered - t.tick).count()));
      } else {
        ++skipped_;
        m_.skipped.labels(t.name).inc();
      }
    }
    if (failed && !r) {
      log::warn("send failed", {{"entry", b.ticks.front().name},
                                {"ticks", static_cast<std::uint64_t>(b.ticks.size())},
                                {"error", r.error().message}});
    } else if (failed) {
      log::warn("send refused by redis", {{"entry", b.ticks.front().name}});
    }
    if (fenced && lease_.state() == schedule::lease_state::leading) {
      lease_.lost(steady::now());
      loaded_ = false;
      stepped_down();
      log::warn("the lease was not ours when sending; stepped down",
                {{"entry", b.ticks.front().name}});
    }
    arm(steady::now());
  }

  net::io_context& ioc_;
  beat_metrics& m_;
  net::steady_timer timer_;
  net::steady_timer send_timer_;       ///< sends a batch built ahead at its due instant
  bool prebuilt_ = false;              ///< a batch built ahead waits on send_timer_
  std::size_t batches_in_flight_ = 0;  ///< flushed, not yet answered
  std::shared_ptr<redis::connection> conn_;
  std::vector<schedule::entry> entries_;
  std::uint64_t generation_ = 0;
  std::vector<std::size_t> in_flight_;  ///< per entry: its ticks sent and not answered
  std::priority_queue<due_item, std::vector<due_item>, std::greater<>> heap_;
  schedule::time_zone tz_;
  run_options opt_;
  schedule::leader_lease lease_;
  schedule::beat_keys keys_;
  queue::layout layout_;
  std::string token_;
  std::string origin_;
  trace::tracer tracer_;
  sys_ms started_{};
  std::unordered_map<std::string, sys_ms> last_;  ///< entry -> the due time of its last tick
  bool lease_call_ = false;
  bool loaded_ = false;
  bool loading_ = false;
  bool stopping_ = false;
  milliseconds catch_up_;
  std::uint64_t sent_ = 0, skipped_ = 0, coalesced_ = 0, failed_ = 0;
  milliseconds behind_{0};         ///< this wake: now minus the oldest due tick taken
  coalesced_note wake_coalesced_;  ///< this wake's coalesced entries, logged at its end
  sys_ms last_behind_log_{};
};

}  // namespace

int run_beat(const run_options& opt) {
  auto tz = schedule::time_zone::load(opt.timezone);
  if (!tz) {
    std::cerr << "vmterm-beat: " << tz.error().message << '\n';
    return to_int(exit_code::usage);
  }
  auto entries = schedule::read_schedule(opt.schedule_file);
  if (!entries) {
    std::cerr << "vmterm-beat: " << entries.error().message << '\n';
    return to_int(exit_code::usage);
  }
  auto url = redis::parse_url(opt.broker);
  if (!url) {
    std::cerr << "vmterm-beat: " << url.error().message << '\n';
    return to_int(exit_code::usage);
  }
  net::io_context ioc;
  metrics::registry registry;
  metrics::add_process_metrics(registry);
  beat_metrics bm(registry);
  std::unique_ptr<http::metrics_endpoint> metrics_server;
  if (!opt.metrics_listen.empty()) {
    auto started = http::metrics_endpoint::start(ioc, registry,
                                                 {.listen = opt.metrics_listen,
                                                  .token = opt.metrics_token,
                                                  .server_name = "vmterm-beat",
                                                  .flag = http::metrics_listen_flag,
                                                  .token_advice = http::metrics_token_advice});
    if (!started) {
      std::cerr << "vmterm-beat: " << started.error().message << '\n';
      return to_int(exit_code::usage);
    }
    metrics_server = std::move(*started);
    log::info("metrics at http://" + metrics_server->bound().str() + "/metrics");
  }
  redis::connection_options co;
  co.url = *url;
  co.client_name = "vmterm-beat";
  co.command_timeout = std::max(opt.lease / 3, milliseconds(100));
  auto conn = redis::connection::create(ioc.get_executor(), co);
  conn->async_connect([](expected<void> r) {
    if (!r) log::warn("redis not reachable; retrying with backoff", {{"error", r.error().message}});
  });
  auto b = std::make_shared<beat>(ioc, conn, std::move(*entries), std::move(*tz), opt, bm);
  b->start();
  net::signal_set stop_signals(ioc, SIGTERM, SIGINT);
  net::signal_set hup(ioc, SIGHUP);
  std::function<void()> wait_hup = [&] {
    hup.async_wait([&](boost::system::error_code ec, int) {
      if (ec) return;
      auto fresh = schedule::read_schedule(opt.schedule_file);
      if (!fresh) {
        bm.reloads.labels("refused").inc();
        log::error("schedule reload refused; keeping the old one",
                   {{"error", fresh.error().message}});
      } else {
        bm.reloads.labels("ok").inc();
        b->reload(std::move(*fresh));
      }
      wait_hup();
    });
  };
  wait_hup();
  stop_signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    hup.cancel();
    b->stop([&] {
      conn->close();
      if (metrics_server) metrics_server->stop();
    });
  });
  ioc.run();
  return to_int(exit_code::ok);
}

}  // namespace vmterm::beat
