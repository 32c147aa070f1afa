#include "worker.hpp"

#include <signal.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cmath>
#include <fstream>

#include "core/log.hpp"
#include "queue/policy.hpp"
#include "queue/tracing.hpp"
#include "redis/same_server.hpp"
#include "redis/url.hpp"
#include "trace/propagation.hpp"
#include "trace/provider.hpp"

namespace vmterm::worker {
namespace net = boost::asio;

namespace {

/// Celery's revoked set holds 50,000 ids (worker/state.py).
constexpr std::size_t revoked_limit = 50000;
/// Celery's result_expires default (1 day), for stored results.
constexpr std::chrono::seconds result_expires = std::chrono::hours(24);

queue::timestamp now_ts() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

double unix_seconds(queue::timestamp t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

std::uint64_t resident_bytes() {
  std::ifstream in("/proc/self/statm");
  std::uint64_t size = 0, rss = 0;
  in >> size >> rss;
  return rss * 4096;
}

std::chrono::milliseconds limit_ms(const std::optional<double>& header,
                                   std::chrono::milliseconds fallback) {
  if (header && *header > 0) return std::chrono::milliseconds(std::llround(*header * 1000));
  return fallback;
}

queue::result_meta base_result(const queue::task_message& m, queue::task_state state) {
  queue::result_meta r;
  r.status = state;
  r.task_id = m.id;
  r.date_done = now_ts();
  r.parent_id = m.parent_id;
  r.group_id = m.group;
  return r;
}

}  // namespace

worker::worker(net::any_io_executor ex, const run_settings& s, const task_registry& tasks,
               worker_metrics* metrics)
    : ex_(ex),
      settings_(s),
      tasks_(tasks),
      metrics_(metrics),
      tracer_(trace::get_tracer("vmterm-worker")),
      hold_timer_(ex),
      take_retry_(ex),
      shutdown_timer_(ex) {}

const queue::consumer_stats* worker::consumer_stats() const noexcept {
  return consumer_ ? &consumer_->stats() : nullptr;
}

void worker::start(std::function<void(expected<void>)> started) {
  auto broker = redis::parse_url(settings_.common.broker);
  if (!broker)
    return started(fail(std::errc::invalid_argument, "--broker: " + broker.error().message));
  auto backend = redis::parse_url(settings_.common.result_backend);
  if (!backend) {
    return started(
        fail(std::errc::invalid_argument, "--result-backend: " + backend.error().message));
  }
  queue::consumer_options co;
  co.redis.url = *broker;
  co.redis.client_name = "vmterm-worker";
  co.queues = settings_.queues;
  co.worker = settings_.hostname;
  co.visibility_timeout = settings_.visibility_timeout;
  consumer_ = queue::consumer::create(ex_, co);
  redis::connection_options ro;
  ro.url = *backend;
  ro.client_name = "vmterm-worker-results";
  results_conn_ = redis::connection::create(ex_, ro);
  results_ = std::make_unique<queue::result_backend>(results_conn_, result_expires);
  auto self = shared_from_this();
  // The batchers belong to the worker: they see it weakly (a strong capture was a cycle that
  // kept the worker, its consumer and its connections alive after exit). Once the worker is
  // gone a flush is dropped (its messages stay owned and are recovered like a crash's).
  std::weak_ptr<worker> weak = self;
  // A quarter of the window per batch: the first acks free places (and a take fills them)
  // while the rest are still being written, instead of the whole window waiting for one write.
  const std::size_t batch_max =
      std::max<std::size_t>(16, (static_cast<std::size_t>(settings_.concurrency) +
                                 static_cast<std::size_t>(settings_.prefetch)) /
                                    4);
  result_batcher_ = std::make_shared<batcher<queue::result_meta>>(
      ex_,
      [weak](const std::vector<queue::result_meta>& ms, std::function<void(expected<void>)> done) {
        auto w = weak.lock();
        if (!w) return;
        w->results_->store_many(ms, [done](expected<std::vector<bool>> r) {
          if (!r) return done(tl::unexpected(r.error()));
          done({});
        });
      },
      [](const error& e) { log::warn("store results: " + e.message + "; retrying"); }, batch_max);
  ack_batcher_ = std::make_shared<batcher<std::string>>(
      ex_,
      [weak](const std::vector<std::string>& tags, std::function<void(expected<void>)> done) {
        auto w = weak.lock();
        if (!w) return;
        w->consumer_->ack(tags, std::move(done));
      },
      [](const error& e) { log::warn("ack: " + e.message + "; retrying"); }, batch_max);
  // Broker and result backend on one server (Celery's default layout: /0 and /1): a result
  // and its ack go in one script on the broker's connection.
  if (redis::same_server(*broker, *backend)) {
    store_ack_batcher_ = std::make_shared<batcher<result_ack>>(
        ex_,
        [weak, db = backend->db](const std::vector<result_ack>& items,
                                 std::function<void(expected<void>)> done) {
          auto w = weak.lock();
          if (!w) return;
          std::vector<queue::result_meta> results;
          std::vector<std::string> tags;
          for (const auto& i : items) {
            if (i.result) results.push_back(*i.result);
            if (!i.tag.empty()) tags.push_back(i.tag);
          }
          w->consumer_->store_and_ack(results, db, result_expires, std::move(tags),
                                      std::move(done));
        },
        [](const error& e) { log::warn("store results and ack: " + e.message + "; retrying"); },
        batch_max);
  }
  results_conn_->async_connect([self, started](expected<void> r) {
    if (!r) return started(tl::unexpected(r.error()));
    self->consumer_->start([self, started](expected<void> c) {
      if (!c) return started(tl::unexpected(c.error()));
      if (const auto n = self->consumer_->stats().adopted; n > 0) {
        log::info("put back " + std::to_string(n) + " messages that a previous '" +
                  self->settings_.hostname + "' (killed?) still owned");
      }
      started({});
      self->take();
    });
  });
}

void worker::take() {
  if (stopping_ || taking_ || recycle_requested_) return;
  const std::size_t limit = static_cast<std::size_t>(settings_.concurrency) +
                            static_cast<std::size_t>(settings_.prefetch);
  if (in_flight() >= limit) return;
  // Take in batches: while messages are still waiting to start, wait until half the window is
  // free (one take script for hundreds of messages, not one per finished task).
  if (!ready_.empty() && limit - in_flight() < std::max<std::size_t>(1, limit / 2)) return;
  taking_ = true;
  consumer_->take_wait(limit - in_flight(),
                       [self = shared_from_this()](expected<std::vector<queue::delivery>> r) {
                         self->taking_ = false;
                         self->on_taken(std::move(r));
                       });
}

void worker::on_taken(expected<std::vector<queue::delivery>> r) {
  if (!r) {
    if (stopping_) return maybe_shutdown_done();
    log::warn("take from " + settings_.common.broker + ": " + r.error().message + "; trying again");
    take_retry_.expires_after(std::chrono::milliseconds(100));
    take_retry_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->take();
    });
    return;
  }
  if (stopping_) {
    // Taken while stopping (the wait ended with messages): give them back unrun.
    std::vector<queue::delivery> back;
    for (auto& d : *r) {
      if (d.message || d.message.error().kind != queue::poison_kind::not_json) {
        back.push_back(std::move(d));
      }
    }
    if (back.empty()) return maybe_shutdown_done();
    ++finishing_;
    consumer_->give_back(back,
                         [self = shared_from_this()](expected<void>) { self->release_slot(); });
    return;
  }
  for (auto& d : *r) route(std::move(d));
  start_ready();
  // The next take on a later turn: the results and acks of the tasks that just ran (their
  // writes are posted) go out first, so a lone task's result is not queued behind the next
  // blocking wait.
  net::post(ex_, [self = shared_from_this()] { self->take(); });
}

void worker::route(queue::delivery d) {
  if (!d.message) {
    const auto& p = d.message.error();
    log::warn("poison message moved to the dead-letter list: " + p.reason,
              {{"kind", std::string(queue::to_string(p.kind))}, {"queue", d.queue}});
    if (metrics_) metrics_->dead_lettered.labels(queue::to_string(p.kind)).inc();
    if (p.kind != queue::poison_kind::not_json) {
      ++finishing_;
      consumer_->dead_letter(d, p.reason, [self = shared_from_this()](expected<void> r) {
        if (!r) log::warn("dead-letter: " + r.error().message);
        self->release_slot();
      });
    }
    return;
  }
  const auto& m = *d.message;
  const bool known = tasks_.contains(m.task);
  if (metrics_) {
    metrics_->received.labels(known ? m.task : std::string("unknown")).inc();
    if (m.redelivered) metrics_->redeliveries.labels(known ? m.task : std::string("unknown")).inc();
  }
  if (observer_.received && known) observer_.received(m);
  auto decision = queue::decide(m, now_ts(), known, is_revoked(m.id));
  using kind = queue::delivery_decision::kind;
  switch (decision.what) {
    case kind::dead_letter: {
      log::warn("poison message moved to the dead-letter list: " + decision.reason,
                {{"kind", "unknown_task"}, {"queue", d.queue}});
      if (metrics_) metrics_->dead_lettered.labels("unknown_task").inc();
      ++finishing_;
      consumer_->dead_letter(d, decision.reason, [self = shared_from_this()](expected<void> r) {
        if (!r) log::warn("dead-letter: " + r.error().message);
        self->release_slot();
      });
      return;
    }
    case kind::revoke:
      return store_revoked(std::move(d), decision.reason);
    case kind::hold:
      hold(std::move(d), decision.until);
      if (metrics_) metrics_->held.labels().set(static_cast<double>(held_.size()));
      return arm_hold_timer();
    case kind::run:
      ready_.push_back(std::move(d));
      if (metrics_) metrics_->prefetched.labels().set(static_cast<double>(ready_.size()));
      return;
  }
}

void worker::store_revoked(queue::delivery d, const std::string& reason) {
  const auto& m = *d.message;
  log::info("task revoked, not run: " + reason, {{"task", m.task}, {"id", m.id}});
  if (metrics_) metrics_->revoked.labels(m.task).inc();
  if (observer_.revoked) observer_.revoked(m, reason);
  std::optional<queue::result_meta> meta;
  if (!m.ignore_result) {
    meta = base_result(m, queue::task_state::revoked);
    meta->exception = queue::task_exception{"TaskRevokedError", "celery.exceptions",
                                            queue::json::array({reason})};
  }
  ++finishing_;
  finish(std::move(d), std::move(meta), true);
}

namespace {

/// The heap order of held entries: the earliest due on top.
template <class Entry>
bool held_later(const Entry& a, const Entry& b) {
  return a.due_us > b.due_us;
}

/// Due messages read back from Redis per round trip.
constexpr std::size_t held_fetch_batch = 1000;

}  // namespace

void worker::hold(queue::delivery d, queue::timestamp until) {
  held_entry e;
  e.due_us = until.time_since_epoch().count();
  if (auto uuid = queue::parse_uuid(d.tag)) {
    e.uuid = *uuid;
  } else {
    e.long_tag = next_long_tag_++;
    if (next_long_tag_ == 0) next_long_tag_ = 1;
    long_tags_.emplace(e.long_tag, std::move(d.tag));
  }
  auto q = std::find(queue_names_.begin(), queue_names_.end(), d.queue);
  if (q == queue_names_.end()) q = queue_names_.insert(queue_names_.end(), std::move(d.queue));
  e.queue = static_cast<std::uint32_t>(q - queue_names_.begin());
  held_.push_back(e);
  std::push_heap(held_.begin(), held_.end(), held_later<held_entry>);
  // The decoded message and its bytes go: read back from unacked when due.
}

worker::held_entry worker::pop_held() {
  std::pop_heap(held_.begin(), held_.end(), held_later<held_entry>);
  held_entry e = held_.back();
  held_.pop_back();
  if (held_.empty()) held_.shrink_to_fit();
  return e;
}

std::string worker::held_tag(const held_entry& e) const {
  if (e.long_tag == 0) return queue::format_uuid(e.uuid);
  auto it = long_tags_.find(e.long_tag);
  return it == long_tags_.end() ? std::string() : it->second;
}

void worker::fetch_held(std::vector<held_entry> due,
                        std::function<void(expected<std::vector<queue::delivery>>)> done) {
  std::vector<std::string> tags, queues;
  tags.reserve(due.size());
  queues.reserve(due.size());
  for (const auto& e : due) {
    tags.push_back(held_tag(e));
    queues.push_back(queue_names_[e.queue]);
  }
  consumer_->fetch(std::move(tags), std::move(queues), std::move(done));
}

void worker::arm_hold_timer() {
  if (held_.empty() || stopping_ || fetching_held_) return;
  const auto first = queue::timestamp(std::chrono::microseconds(held_.front().due_us));
  if (hold_timer_at_ && *hold_timer_at_ <= first) return;
  hold_timer_at_ = first;
  hold_timer_.expires_at(std::chrono::steady_clock::now() +
                         std::max(std::chrono::microseconds(0), first - now_ts()));
  hold_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec) return;
    self->hold_timer_at_.reset();
    self->on_hold_timer();
  });
}

void worker::on_hold_timer() {
  if (fetching_held_ || stopping_) return;
  const auto now_us = now_ts().time_since_epoch().count();
  std::vector<held_entry> due;
  while (!held_.empty() && held_.front().due_us <= now_us && due.size() < held_fetch_batch) {
    due.push_back(pop_held());
  }
  if (due.empty()) return arm_hold_timer();
  fetching_held_ = true;
  ++finishing_;  // shutdown waits for the fetch
  fetch_held(due, [self = shared_from_this(), due](expected<std::vector<queue::delivery>> r) {
    self->fetching_held_ = false;
    if (self->finishing_ > 0) --self->finishing_;
    if (!r) {
      // Redis trouble: they are still owned; try again in a second.
      log::warn("read back due ETA messages: " + r.error().message + "; trying again");
      const auto later = now_ts().time_since_epoch().count() + 1000000;
      for (auto e : due) {
        e.due_us = later;
        self->held_.push_back(e);
        std::push_heap(self->held_.begin(), self->held_.end(), held_later<held_entry>);
      }
    } else {
      for (const auto& e : due) {
        if (e.long_tag != 0) self->long_tags_.erase(e.long_tag);
      }
      const auto now = now_ts();
      if (self->stopping_ && !r->empty()) {  // read back after shutdown began: give back
        ++self->finishing_;
        self->consumer_->give_back(*r, [self](expected<void> g) {
          if (!g) log::warn("give back: " + g.error().message);
          self->release_slot();
        });
        r->clear();
      }
      for (auto& d : *r) {
        if (!d.message) {
          self->route(std::move(d));  // cannot happen for a message held once; dead-letter
          continue;
        }
        // Due: decide again (revoked or expired while held), then it runs like any message.
        auto decision = queue::decide(*d.message, now, true, self->is_revoked(d.message->id));
        if (decision.what == queue::delivery_decision::kind::revoke) {
          self->store_revoked(std::move(d), decision.reason);
        } else {
          self->ready_.push_back(std::move(d));
        }
      }
    }
    if (self->metrics_) self->metrics_->held.labels().set(static_cast<double>(self->held_.size()));
    if (self->stopping_) return self->maybe_shutdown_done();
    self->arm_hold_timer();
    self->start_ready();
  });
}

void worker::start_ready() {
  // Not reentrant: a built-in task finishes inside start_one, and its outcome frees its
  // place at once; the loop below then starts the next one (no recursion per task).
  if (starting_) return;
  starting_ = true;
  while (!stopping_ && !ready_.empty() &&
         active_.size() < static_cast<std::size_t>(settings_.concurrency)) {
    auto d = std::move(ready_.front());
    ready_.pop_front();
    start_one(std::move(d));
  }
  starting_ = false;
  if (metrics_) {
    metrics_->prefetched.labels().set(static_cast<double>(ready_.size()));
    metrics_->active.labels().set(static_cast<double>(active_.size()));
  }
}

void worker::start_one(queue::delivery d) {
  if (is_revoked(d.message->id)) {
    const std::string why = "task " + d.message->id + " revoked";
    return store_revoked(std::move(d), why);
  }
  // The entry's place in active_ is stable (a node-based map): the message is read from there.
  const std::string tag = d.tag;
  auto [it, inserted] = active_.try_emplace(tag);
  if (!inserted) return;  // the same delivery twice: cannot happen (tags are unique)
  running& r = it->second;
  r.delivery = std::move(d);
  const auto& m = *r.delivery.message;
  trace::context parent = queue::extract_parent(m);
  trace::span_options so;
  so.kind = trace::span_kind::consumer;
  if (parent.span.valid()) {
    so.parent = &parent;
  } else {
    so.new_root = true;
  }
  r.span = tracer_.start_span(queue::consumer_span_name(m.task), so);
  r.started = std::chrono::steady_clock::now();
  r.started_unix = unix_seconds(now_ts());
  queue::set_consumer_attributes(r.span, m);
  if (metrics_) {
    const auto sent_at = m.eta.value_or(queue::timestamp{});
    if (sent_at.time_since_epoch().count() > 0) {
      metrics_->queue_wait.labels().observe(std::max(0.0, r.started_unix - unix_seconds(sent_at)));
    }
  }
  task_call call;
  call.id = m.id;
  call.name = m.task;
  call.args = m.args;
  call.kwargs = m.kwargs;
  call.traceparent = trace::format_traceparent(r.span.context());
  call.hard_limit = limit_ms(m.time_limit, settings_.time_limit);
  call.soft_limit = limit_ms(m.soft_time_limit, settings_.soft_time_limit);
  if (settings_.early_ack) ack_batcher_->add(tag, {});
  if (observer_.started) observer_.started(m);
  auto task = tasks_.start(ex_, call, [self = shared_from_this(), tag](task_outcome o) {
    self->on_outcome(tag, std::move(o));
  });
  // A task may report its outcome before start returns (a built-in run inline): then the entry
  // is gone already.
  if (auto again = active_.find(tag); again != active_.end()) again->second.task = std::move(task);
}

void worker::on_outcome(const std::string& tag, task_outcome o) {
  if (!active_.contains(tag)) return;
  finish_outcome(tag, std::move(o));
  // A finished task's place is free now, not only once its result and ack are written (those
  // are batched, and still count against the prefetch window through finishing_).
  start_ready();
}

void worker::finish_outcome(const std::string& tag, task_outcome o) {
  auto it = active_.find(tag);
  running r = std::move(it->second);
  active_.erase(it);
  ++finishing_;
  const auto& m = *r.delivery.message;
  const double runtime =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - r.started).count();
  if (metrics_) {
    metrics_->runtime.labels(m.task).observe(runtime);
    metrics_->active.labels().set(static_cast<double>(active_.size()));
  }
  ++processed_;
  ++processed_by_task_[m.task];
  if (r.terminated_for_shutdown) {
    // Stopped by the shutdown timeout: it runs again elsewhere (unless acked early).
    r.span.set_attribute("celery.state", "REQUEUED");
    r.span.end();
    if (settings_.early_ack) return release_slot();
    consumer_->give_back({r.delivery},
                         [self = shared_from_this()](expected<void>) { self->release_slot(); });
    return;
  }
  if (r.revoked_terminate || (!o.ok && is_revoked(m.id))) {
    queue::set_outcome(r.span, queue::task_state::revoked);
    r.span.end();
    --finishing_;  // store_revoked counts it again
    const std::string why = "task " + m.id + " terminated";
    return store_revoked(std::move(r.delivery), why);
  }
  std::optional<queue::result_meta> meta;
  if (o.ok) {
    queue::set_outcome(r.span, queue::task_state::success);
    if (metrics_) metrics_->succeeded.labels(m.task).inc();
    if (!m.ignore_result) {
      meta = base_result(m, queue::task_state::success);
      meta->result = std::move(o.result);
    }
  } else if (o.retry && m.retries < settings_.max_retries) {
    queue::task_exception exc{o.exc_type, o.exc_module, queue::json::array({o.exc_message})};
    queue::set_outcome(r.span, queue::task_state::retry, &exc);
    r.span.set_attribute("celery.retry.reason", o.exc_message);
    r.span.end();
    if (metrics_) metrics_->retried.labels(m.task).inc();
    auto next = queue::make_retry(
        m, now_ts(), std::chrono::duration_cast<std::chrono::microseconds>(settings_.retry_delay),
        settings_.hostname);
    if (!m.ignore_result) {
      auto retry_meta = base_result(m, queue::task_state::retry);
      retry_meta.exception = exc;
      retry_meta.traceback = o.traceback;
      retry_meta.date_done.reset();
      // Through the batcher the final result will take, so the RETRY is never stored after it.
      if (store_ack_batcher_) {
        store_ack_batcher_->add(result_ack{std::move(retry_meta), {}}, {});
      } else {
        result_batcher_->add(std::move(retry_meta), {});
      }
    }
    consumer_->retry(r.delivery, next, [self = shared_from_this()](expected<void> res) {
      if (!res) log::warn("retry: " + res.error().message);
      self->release_slot();
    });
    if (observer_.finished) observer_.finished(m, o, runtime);
    return check_recycle();
  } else {
    if (o.retry) {
      o.exc_type = "MaxRetriesExceededError";
      o.exc_module = "celery.exceptions";
      o.exc_message =
          "Can't retry " + m.task + "[" + m.id + "] args:" + m.argsrepr + " kwargs:" + m.kwargsrepr;
    }
    queue::task_exception exc{o.exc_type, o.exc_module, queue::json::array({o.exc_message})};
    queue::set_outcome(r.span, queue::task_state::failure, &exc);
    if (metrics_) metrics_->failed.labels(m.task).inc();
    log::warn("task failed: " + o.exc_type + ": " + o.exc_message,
              {{"task", m.task}, {"id", m.id}});
    if (!m.ignore_result) {
      meta = base_result(m, queue::task_state::failure);
      meta->exception = exc;
      meta->traceback = o.traceback.empty() ? o.exc_type + ": " + o.exc_message : o.traceback;
    }
  }
  trace::context run_ctx{r.span.context(), {}};
  r.span.end();
  if (observer_.finished) observer_.finished(m, o, runtime);
  finish(std::move(r.delivery), std::move(meta), !settings_.early_ack, std::move(run_ctx));
  check_recycle();
}

void worker::finish(queue::delivery d, std::optional<queue::result_meta> result, bool ack,
                    trace::context ctx) {
  // Acks late: the ack goes after the result is written, so a crash in between runs the task
  // again rather than losing its result. Both are written under the run span (a batch: under
  // its first task's).
  auto self = shared_from_this();
  if (store_ack_batcher_ && (result || ack)) {
    store_ack_batcher_->add(
        result_ack{std::move(result), ack ? d.tag : std::string()},
        [self] { self->release_slot(); }, std::move(ctx));
    return;
  }
  auto do_ack = [self, tag = d.tag, ack, ctx] {
    if (!ack) return self->release_slot();
    self->ack_batcher_->add(
        tag, [self] { self->release_slot(); }, ctx);
  };
  if (result) {
    result_batcher_->add(std::move(*result), do_ack, ctx);
  } else {
    do_ack();
  }
}

void worker::release_slot() {
  if (finishing_ > 0) --finishing_;
  if (stopping_) return maybe_shutdown_done();
  start_ready();
  take();
}

void worker::check_recycle() {
  if (recycle_requested_ || !on_recycle_) return;
  std::string why;
  if (settings_.max_tasks > 0 && processed_ >= settings_.max_tasks) {
    why = "--max-tasks " + std::to_string(settings_.max_tasks) + " reached";
  } else if (settings_.max_memory > 0 && resident_bytes() > settings_.max_memory) {
    why = "resident memory above --max-memory";
  }
  if (why.empty()) return;
  recycle_requested_ = true;
  net::post(ex_, [self = shared_from_this(), why] { self->on_recycle_(why); });
}

std::vector<std::string> worker::revoke(const std::vector<std::string>& ids, bool terminate,
                                        int sig) {
  std::vector<std::string> signalled;
  for (const auto& id : ids) {
    if (revoked_.insert(id).second) {
      revoked_order_.push_back(id);
      if (revoked_order_.size() > revoked_limit) {
        revoked_.erase(revoked_order_.front());
        revoked_order_.pop_front();
      }
    }
    if (!terminate) continue;
    for (auto& [tag, r] : active_) {
      if (r.delivery.message->id == id && r.task && r.task->terminate(sig)) {
        r.revoked_terminate = true;
        signalled.push_back(id);
      }
    }
  }
  return signalled;
}

std::vector<active_info> worker::active() const {
  std::vector<active_info> out;
  for (const auto& [tag, r] : active_) {
    const auto& m = *r.delivery.message;
    out.push_back(
        {m.id, m.task, r.delivery.queue, m.argsrepr, m.kwargsrepr, r.started_unix, m.redelivered});
  }
  return out;
}

void worker::shutdown(std::function<void()> done) {
  if (stopping_) return;
  stopping_ = true;
  shutdown_done_ = std::move(done);
  // Counted before stop(): stop() ends a blocking take at once, whose callback checks whether
  // the shutdown is done; with nothing counted yet it was, and the lease was released before
  // the held messages below were given back.
  ++finishing_;
  hold_timer_.cancel();
  take_retry_.cancel();
  consumer_->stop();
  // Give back what has not started: prefetched and held (eta) messages.
  std::vector<queue::delivery> back(std::make_move_iterator(ready_.begin()),
                                    std::make_move_iterator(ready_.end()));
  ready_.clear();
  auto self = shared_from_this();
  // Held (ETA) messages are read back from unacked in batches and given back likewise.
  if (!held_.empty()) {
    log::info("giving back " + std::to_string(held_.size()) + " held (ETA) messages");
  }
  if (!held_.empty()) {
    ++finishing_;
    give_back_held();
  }
  if (back.empty()) {
    net::post(ex_, [self] { self->release_slot(); });
  } else {
    log::info("giving back " + std::to_string(back.size()) + " messages not started");
    consumer_->give_back(back, [self](expected<void> r) {
      if (!r) log::warn("give back: " + r.error().message);
      self->release_slot();
    });
  }
  if (!active_.empty()) {
    log::info("waiting for " + std::to_string(active_.size()) + " running tasks");
    shutdown_timer_.expires_after(settings_.shutdown_timeout);
    shutdown_timer_.async_wait([self](boost::system::error_code ec) {
      if (ec) return;
      for (auto& [tag, r] : self->active_) {
        log::warn("shutdown timeout: stopping task; its message goes back to the queue",
                  {{"task", r.delivery.message->task}, {"id", r.delivery.message->id}});
        r.terminated_for_shutdown = true;
        if (r.task) r.task->terminate(SIGKILL);
      }
    });
  }
}

void worker::give_back_held() {
  // By tag, nothing decoded, 1,000 a batch (one HMGET and one script call each); two batches
  // in flight, so Redis works on one while the worker prepares the next.
  while (giving_back_ < 2 && !held_.empty()) {
    std::vector<std::string> tags;
    while (!held_.empty() && tags.size() < held_fetch_batch) {
      const auto e = pop_held();
      auto tag = held_tag(e);
      if (e.long_tag != 0) long_tags_.erase(e.long_tag);
      if (!tag.empty()) tags.push_back(std::move(tag));
    }
    ++giving_back_;
    consumer_->give_back_tags(std::move(tags), [self = shared_from_this()](expected<void> r) {
      // On failure they stay owned: once the lease is gone another worker recovers them.
      if (!r) log::warn("give back held messages: " + r.error().message);
      --self->giving_back_;
      self->give_back_held();
    });
  }
  if (giving_back_ == 0 && held_.empty()) release_slot();
}

void worker::maybe_shutdown_done() {
  if (!stopping_ || releasing_ || taking_ || !active_.empty() || finishing_ > 0) return;
  if (!result_batcher_->idle() || !ack_batcher_->idle()) return;
  if (store_ack_batcher_ && !store_ack_batcher_->idle()) return;
  releasing_ = true;
  shutdown_timer_.cancel();
  consumer_->release([self = shared_from_this()](expected<void> r) {
    if (!r) log::warn("release the lease: " + r.error().message);
    self->results_conn_->close();
    if (self->shutdown_done_) {
      auto done = std::move(self->shutdown_done_);
      done();
    }
  });
}

}  // namespace vmterm::worker
