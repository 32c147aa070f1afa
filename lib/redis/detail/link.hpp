#pragma once
/// What a connection and a subscriber share: one hiredis async context driven by Asio, its
/// connect attempt (deadline, AUTH, SELECT, CLIENT SETNAME, PING), the state machine and the
/// reconnects with backoff. Internal.
///
/// hiredis's six event hooks map onto a posix::stream_descriptor on hiredis's socket
/// (async_wait read/write, re-armed after each event while hiredis wants it: hiredis expects
/// level-triggered events). The descriptor never closes the fd: hiredis owns it, so the
/// cleanup hook release()s it. hiredis calls back into this object only from inside
/// redisAsyncHandleRead/Write; those callbacks only record what happened (replies are queued,
/// a lost context is noted by clearing ac_) and everything else, including freeing a context
/// and running user callbacks, happens after hiredis has returned (after_hiredis()).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "redis/connection.hpp"
#include "redis/detail/redis_metrics.hpp"

struct redisAsyncContext;
struct redisReply;

namespace vmterm::redis::detail {

class link : public std::enable_shared_from_this<link> {
 public:
  using connect_fn = std::function<void(expected<void>)>;

  link(boost::asio::any_io_executor executor, connection_options options);
  virtual ~link();
  link(const link&) = delete;
  link& operator=(const link&) = delete;

  /// Starts connecting when idle; `done` (may be empty) gets the outcome of the current or
  /// next attempt, always from the executor (never inside this call).
  void connect(connect_fn done);
  /// No more reconnects: frees the context, fails what waits with `why` (owner's on_lost).
  void shutdown(const error& why) noexcept;
  /// Drops the current connection as if it broke (e.g. a command timed out), then reconnects.
  void drop(const error& why);

  [[nodiscard]] connection_state state() const noexcept { return state_; }
  [[nodiscard]] bool ready() const noexcept {
    return state_ == connection_state::ready && ac_ != nullptr;
  }
  [[nodiscard]] const connection_options& options() const noexcept { return options_; }
  void set_state_callback(std::function<void(connection_state)> fn) { on_state_ = std::move(fn); }
  /// "redis 'redis://127.0.0.1:6379/0'": the start of every message.
  [[nodiscard]] const std::string& who() const noexcept { return who_; }
  /// The last connect failure or loss, for messages ("connection refused").
  [[nodiscard]] const std::string& last_failure() const noexcept { return last_failure_; }
  [[nodiscard]] const boost::asio::any_io_executor& executor() const noexcept { return executor_; }
  [[nodiscard]] redis_metrics& metrics() noexcept { return metrics_; }

 protected:
  /// Sends one command whose reply goes to on_reply (or, for SUBSCRIBE/PSUBSCRIBE, whose
  /// confirmations and messages go to on_push). False when there is no connection.
  bool send(const std::vector<std::string>& args, bool subscription = false);

  /// A connect attempt has its context and the handshake is queued in it (the socket may not
  /// be connected yet): with options().pipeline_handshake the owner may send() now.
  virtual void on_connecting() {}
  /// True while an attempt's context exists and its handshake is unanswered, with
  /// pipeline_handshake on and reconnect off: send() now rides behind the handshake.
  [[nodiscard]] bool early_sending() const noexcept {
    return options_.pipeline_handshake && !options_.reconnect &&
           state_ == connection_state::connecting && ac_ != nullptr;
  }
  /// The handshake succeeded: the owner sends what waits.
  virtual void on_ready() = 0;
  /// The connection broke or was shut down (state() tells which): fail what is in flight.
  virtual void on_lost(const error& why) = 0;
  /// A connect attempt failed (the first or a reconnect).
  virtual void on_attempt_failed(const error& /*why*/) {}
  /// The next reply, in order, for a command sent with send().
  virtual void on_reply(redisReply* r) = 0;
  /// A subscription confirmation or message.
  virtual void on_push(redisReply* /*r*/) {}
  /// Runs right after every return from hiredis: deliver what was gathered.
  virtual void after_io() {}

 private:
  void start_attempt();
  void attempt_failed(error why);
  void became_ready();
  void lost(error why);
  void schedule_retry();
  void set_state(connection_state s);
  void free_context() noexcept;
  void after_hiredis();
  void handle_read();
  void handle_write();
  void arm_read();
  void arm_write(bool speculative);
  void rearm();
  void notify_connect(const expected<void>& result);
  [[nodiscard]] error failure_from_hiredis(std::string_view words, bool connecting) const;
  void on_handshake_reply(redisReply* r);

  static void hook_add_read(void* p);
  static void hook_del_read(void* p);
  static void hook_add_write(void* p);
  static void hook_del_write(void* p);
  static void hook_cleanup(void* p);
  static void cb_connect(const redisAsyncContext* ac, int status);
  static void cb_disconnect(const redisAsyncContext* ac, int status);
  static void cb_reply(redisAsyncContext* ac, void* r, void* privdata);
  static void cb_push(redisAsyncContext* ac, void* r, void* privdata);
  static void cb_handshake(redisAsyncContext* ac, void* r, void* privdata);

  boost::asio::any_io_executor executor_;
  connection_options options_;
  std::string who_;
  redis_metrics metrics_;
  boost::asio::posix::stream_descriptor sd_;
  boost::asio::steady_timer deadline_;
  boost::asio::steady_timer retry_;
  redisAsyncContext* ac_ = nullptr;
  std::uint64_t generation_ = 0;  ///< bumped per context: stale waits check it
  connection_state state_ = connection_state::idle;
  std::function<void(connection_state)> on_state_;
  std::vector<connect_fn> connect_waiters_;
  std::minstd_rand random_;
  unsigned failures_ = 0;  ///< consecutive failed attempts (backoff exponent)
  bool ever_connected_ = false;
  std::string last_failure_;
  bool attempted_ = false;
  // Event-hook state (hiredis wants level-triggered events; Asio waits are one-shot).
  bool want_read_ = false, want_write_ = false;
  bool read_armed_ = false, write_armed_ = false;
  bool in_hiredis_ = false;
  // What hiredis's callbacks recorded, acted on in after_hiredis().
  bool context_gone_ = false;  ///< hiredis freed the context (ac_ already cleared)
  std::string gone_words_;     ///< hiredis's errstr when it did
  bool connected_tcp_ = false;
  int handshake_pending_ = 0;
  std::vector<std::string> handshake_names_;  ///< "AUTH", "SELECT 3", ..., for messages
  std::optional<error> handshake_error_;
  bool handshake_done_ = false;
  std::string phase_ = "connecting";
  std::vector<const char*> argv_;  ///< scratch for redisAsyncCommandArgv
  std::vector<std::size_t> argl_;
};

}  // namespace vmterm::redis::detail
