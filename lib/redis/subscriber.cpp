#include "redis/subscriber.hpp"

#include <hiredis/hiredis.h>

#include <boost/asio/post.hpp>
#include <deque>
#include <set>

#include "redis/detail/link.hpp"

namespace vmterm::redis {
namespace net = boost::asio;

struct subscriber::impl final : detail::link {
  /// A SUBSCRIBE or PSUBSCRIBE sent and not yet confirmed for every name in it.
  struct request {
    std::size_t remaining = 0;
    std::vector<done_fn> done;  ///< told once every name is confirmed
    bool resubscribe = false;   ///< the re-subscription after a reconnect
  };

  impl(net::any_io_executor ex, connection_options o, message_fn fn)
      : link(std::move(ex), std::move(o)), on_message_(std::move(fn)) {}

  std::shared_ptr<impl> self() { return std::static_pointer_cast<impl>(shared_from_this()); }

  void subscribe(std::vector<std::string> names, bool patterns, done_fn done) {
    if (state() == connection_state::closed) {
      if (done) {
        net::post(executor(), [done = std::move(done), who = who()] {
          done(fail(std::errc::operation_canceled, who + ": the subscriber was closed"));
        });
      }
      return;
    }
    auto& set = patterns ? patterns_ : channels_;
    for (const auto& n : names) set.insert(n);
    if (names.empty()) {
      if (done) net::post(executor(), [done = std::move(done)] { done({}); });
      return;
    }
    if (ready() || (early_sending() && sent_early_)) {
      send_subscribe(names, patterns, std::move(done), false);
      return;
    }
    // Subscribed by the (re)subscription that follows the next connect.
    if (done) waiting_.push_back(std::move(done));
    if (state() == connection_state::idle) connect({});
  }

  void send_subscribe(const std::vector<std::string>& names, bool patterns, done_fn done,
                      bool resubscribe) {
    std::vector<std::string> args;
    args.reserve(names.size() + 1);
    args.emplace_back(patterns ? "PSUBSCRIBE" : "SUBSCRIBE");
    args.insert(args.end(), names.begin(), names.end());
    request r;
    r.remaining = names.size();
    r.resubscribe = resubscribe;
    if (done) r.done.push_back(std::move(done));
    if (!send(args, true)) {
      for (auto& d : r.done) waiting_.push_back(std::move(d));
      return;
    }
    requests_.push_back(std::move(r));
  }

  void unsubscribe(const std::vector<std::string>& names) {
    for (const auto& n : names) channels_.erase(n);
    if (!ready() || names.empty()) return;
    std::vector<std::string> args;
    args.emplace_back("UNSUBSCRIBE");
    args.insert(args.end(), names.begin(), names.end());
    (void)send(args, true);
  }

  /// pipeline_handshake: the subscription rides behind the handshake (channels are not tied to
  /// a db, so any db); its confirmations are delivered once the handshake has succeeded.
  void on_connecting() override {
    subscribe_all();
    sent_early_ = true;
  }

  void on_ready() override {
    if (std::exchange(sent_early_, false)) {
      connected_before_ = true;
      return;  // subscribed behind the handshake
    }
    subscribe_all();
  }

  /// SUBSCRIBE/PSUBSCRIBE of every channel and pattern, the waiting callers told when all are
  /// confirmed.
  void subscribe_all() {
    std::vector<std::string> channels(channels_.begin(), channels_.end());
    std::vector<std::string> patterns(patterns_.begin(), patterns_.end());
    const bool again = connected_before_ && (!channels.empty() || !patterns.empty());
    connected_before_ = true;
    if (channels.empty() && patterns.empty()) {
      release_waiting({});
      return;
    }
    // One request for the pair: the waiting callers and on_resubscribed run when all are
    // confirmed.
    std::vector<done_fn> waiting = std::move(waiting_);
    waiting_.clear();
    if (!channels.empty()) send_subscribe(channels, false, {}, again);
    if (!patterns.empty()) send_subscribe(patterns, true, {}, again && channels.empty());
    if (!requests_.empty()) {
      for (auto& d : waiting) requests_.back().done.push_back(std::move(d));
    } else {
      waiting_ = std::move(waiting);
    }
  }

  void on_push(redisReply* r) override {
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 3) return;
    const auto text = [r](std::size_t i) {
      const auto* e = r->element[i];
      return e->type == REDIS_REPLY_STRING || e->type == REDIS_REPLY_STATUS
                 ? std::string(e->str, e->len)
                 : std::string();
    };
    const std::string kind = text(0);
    if (kind == "message") {
      messages_.push_back({std::string(), text(1), text(2)});
    } else if (kind == "pmessage" && r->elements >= 4) {
      messages_.push_back({text(1), text(2), text(3)});
    } else if (kind == "subscribe" || kind == "psubscribe") {
      if (requests_.empty()) return;
      auto& front = requests_.front();
      if (front.remaining > 0) --front.remaining;
      if (front.remaining == 0) {
        confirmed_.push_back(std::move(front));
        requests_.pop_front();
      }
    }
  }

  void on_reply(redisReply* /*r*/) override {}  // nothing but the handshake uses replies

  void after_io() override {
    if (sent_early_) return;  // the handshake's outcome first (on_ready, on_attempt_failed)
    auto keep = self();
    if (!messages_.empty()) {
      auto list = std::move(messages_);
      messages_.clear();
      for (const auto& m : list) {
        if (state() == connection_state::closed) break;
        if (on_message_) on_message_(m);
      }
    }
    if (!confirmed_.empty()) {
      auto list = std::move(confirmed_);
      confirmed_.clear();
      for (auto& req : list) {
        for (auto& d : req.done) d({});
        if (req.resubscribe && on_resubscribed_) on_resubscribed_();
      }
    }
  }

  void on_lost(const error& why) override {
    if (std::exchange(sent_early_, false)) {
      // Closed before the handshake was answered: not confirmed after all.
      for (auto& req : confirmed_) requests_.push_front(std::move(req));
      confirmed_.clear();
      messages_.clear();
    }
    after_io();
    std::vector<done_fn> pending;
    for (auto& req : requests_) {
      for (auto& d : req.done) pending.push_back(std::move(d));
    }
    requests_.clear();
    if (state() == connection_state::closed) {
      for (auto& d : waiting_) pending.push_back(std::move(d));
      waiting_.clear();
      fail_later(std::move(pending), why);
      return;
    }
    // Confirmed by the re-subscription after the reconnect.
    for (auto& d : pending) waiting_.push_back(std::move(d));
  }

  void on_attempt_failed(const error& why) override {
    if (options().reconnect) return;
    sent_early_ = false;
    auto list = std::move(waiting_);
    waiting_.clear();
    // Sent behind the handshake (pipeline_handshake): they fail with it.
    for (auto& req : requests_) {
      for (auto& d : req.done) list.push_back(std::move(d));
    }
    requests_.clear();
    for (auto& req : confirmed_) {
      for (auto& d : req.done) list.push_back(std::move(d));
    }
    confirmed_.clear();
    messages_.clear();
    fail_later(std::move(list), why);
  }

  void release_waiting(const expected<void>& result) {
    auto list = std::move(waiting_);
    waiting_.clear();
    for (auto& d : list) {
      net::post(executor(), [d = std::move(d), result] { d(result); });
    }
  }

  void fail_later(std::vector<done_fn> list, const error& why) {
    for (auto& d : list) {
      net::post(executor(), [d = std::move(d), why] { d(tl::unexpected(why)); });
    }
  }

  message_fn on_message_;
  std::function<void()> on_resubscribed_;
  std::set<std::string> channels_;
  std::set<std::string> patterns_;
  std::deque<request> requests_;
  std::vector<request> confirmed_;
  std::vector<done_fn> waiting_;
  std::vector<pubsub_message> messages_;
  bool connected_before_ = false;
  bool sent_early_ = false;  ///< subscribed behind the handshake, which is not answered yet
};

std::shared_ptr<subscriber> subscriber::create(net::any_io_executor executor,
                                               connection_options options, message_fn on_message) {
  options.trace_commands = false;  // messages are not commands; nothing to trace per message
  auto p = std::make_shared<impl>(std::move(executor), std::move(options), std::move(on_message));
  return std::shared_ptr<subscriber>(new subscriber(std::move(p)));
}

subscriber::subscriber(std::shared_ptr<impl> p) : impl_(std::move(p)) {}

subscriber::~subscriber() { close(); }

void subscriber::async_connect(done_fn done) { impl_->connect(std::move(done)); }

void subscriber::subscribe(std::vector<std::string> channels, done_fn done) {
  impl_->subscribe(std::move(channels), false, std::move(done));
}

void subscriber::psubscribe(std::vector<std::string> patterns, done_fn done) {
  impl_->subscribe(std::move(patterns), true, std::move(done));
}

void subscriber::unsubscribe(std::vector<std::string> channels) { impl_->unsubscribe(channels); }

void subscriber::on_resubscribed(std::function<void()> fn) {
  impl_->on_resubscribed_ = std::move(fn);
}

void subscriber::close() noexcept {
  impl_->shutdown(error{make_error_code(std::errc::operation_canceled),
                        impl_->who() + ": the subscriber was closed"});
}

}  // namespace vmterm::redis
