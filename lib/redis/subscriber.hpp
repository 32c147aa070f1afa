#pragma once
/// A pub/sub connection (Redis forbids other commands on a subscribed connection, so this is a
/// type of its own): SUBSCRIBE/PSUBSCRIBE, messages delivered to one callback, re-subscribed
/// after a reconnect. Same lifetime and threading rules as connection.

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "redis/connection.hpp"

namespace vmterm::redis {

struct pubsub_message {
  std::string pattern;  ///< empty for a SUBSCRIBE (not PSUBSCRIBE) match
  std::string channel;
  std::string payload;
};

class subscriber : public std::enable_shared_from_this<subscriber> {
 public:
  using message_fn = std::function<void(const pubsub_message&)>;
  using done_fn = std::function<void(expected<void>)>;

  [[nodiscard]] static std::shared_ptr<subscriber> create(boost::asio::any_io_executor executor,
                                                          connection_options options,
                                                          message_fn on_message);
  ~subscriber();
  void async_connect(done_fn done);
  /// `done` runs when Redis has confirmed every channel (so a publish after it is seen).
  void subscribe(std::vector<std::string> channels, done_fn done = {});
  void psubscribe(std::vector<std::string> patterns, done_fn done = {});
  void unsubscribe(std::vector<std::string> channels);
  /// Called after a reconnect has re-subscribed (a caller that waits for a result then reads
  /// the key once, to close the window in which a publish was missed).
  void on_resubscribed(std::function<void()> fn);
  void close() noexcept;

  struct impl;

 private:
  explicit subscriber(std::shared_ptr<impl> p);
  std::shared_ptr<impl> impl_;
};

}  // namespace vmterm::redis
