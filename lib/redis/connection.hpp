#pragma once
/// One Redis connection on an Asio executor: hiredis's async context driven by Asio (the six
/// hiredis event hooks map to async_wait on the socket, as ssh/session.cpp maps libssh2's
/// EAGAIN), so no thread ever blocks on the network. Many commands may be in flight at once
/// (pipelining); replies arrive in order.
///
/// Lifetime and threading: shared; every pending operation holds it. Use from its executor only
/// (post to it from other threads). Callbacks run on the executor, never inside hiredis's own
/// callback frame in a way that could free the context (the context is freed only after its
/// disconnect callback has returned, as hiredis requires).
///
/// Reconnects: after a lost connection it reconnects by itself with capped exponential backoff
/// and full jitter (reconnect_min .. reconnect_max), replaying AUTH, SELECT and CLIENT SETNAME.
/// Commands issued while it is down wait (bounded by connect_timeout, then fail); commands that
/// were in flight when it dropped fail with errc::connection_aborted (the caller decides whether
/// a retry is safe). A subscriber (subscriber.hpp) re-subscribes after a reconnect.
///
/// Tracing: every exec()/pipeline()/eval() is ONE CLIENT span named after the command (a
/// pipeline: "PIPELINE <first command>", or "MULTI" when it is one transaction), with
/// db.system.name=redis, db.namespace=<db>, db.query.text sanitized (sanitized_text),
/// server.address/server.port, db.operation.batch.size for pipelines of 2+, and
/// code.function.name/code.file.path/ code.line.number from the caller's std::source_location. The
/// parent is the context current on the calling thread when exec() is called. Errors set status
/// ERROR with Redis's words.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "metrics/registry.hpp"
#include "redis/command.hpp"
#include "redis/errors.hpp"
#include "redis/reply.hpp"
#include "redis/script.hpp"
#include "redis/url.hpp"
#include "trace/tracer.hpp"

namespace vmterm::redis {

/// Every timeout written once (Boost.Redis's config shape).
struct connection_options {
  redis::url url;
  std::chrono::milliseconds connect_timeout{5000};  ///< TCP + AUTH + SELECT, and wait-while-down
  std::chrono::milliseconds command_timeout{0};     ///< 0 = none (needed for blocking commands)
  std::chrono::milliseconds reconnect_min{50};
  std::chrono::milliseconds reconnect_max{1000};  ///< so a restarted Redis is back within ~1 s
  bool reconnect = true;    ///< false: a lost connection stays lost (one-shot CLIs)
  std::string client_name;  ///< CLIENT SETNAME when non-empty
  /// With reconnect off: commands and subscriptions issued while the connection is being set
  /// up are written right behind the handshake (AUTH, SELECT, CLIENT SETNAME, PING), in the
  /// same packet, instead of a round trip later, after its answer. Their results are delivered
  /// once the handshake has succeeded; when it fails they fail with its error (they may have
  /// run: a refused AUTH leaves them running as Redis's default user, which needs no password
  /// then). Commands ride early only on db 0, where a refused SELECT cannot send them to another
  /// db; subscriptions (not tied to a db) on any.
  bool pipeline_handshake = false;
  bool keys_in_spans = false;            ///< sanitized_text(keep_keys) for db.query.text
  bool trace_commands = true;            ///< false: no spans (e.g. the worker's idle blocking wait)
  metrics::registry* metrics = nullptr;  ///< vmterm_redis_* when set
  /// Tracer for the command spans; nullopt: trace::get_tracer("vmterm.redis") at create().
  std::optional<trace::tracer> tracer{};
};

enum class connection_state : std::uint8_t { idle, connecting, ready, backoff, closed };

class connection : public std::enable_shared_from_this<connection> {
 public:
  using reply_fn = std::function<void(expected<reply>)>;
  using replies_fn = std::function<void(expected<std::vector<reply>>)>;
  using connect_fn = std::function<void(expected<void>)>;

  [[nodiscard]] static std::shared_ptr<connection> create(boost::asio::any_io_executor executor,
                                                          connection_options options);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  /// Connects; `done` gets the first attempt's outcome (an error names the redacted URL and
  /// the reason: "redis 'redis://127.0.0.1:1/0': connection refused; start redis-server or fix
  /// the URL"). With reconnect on, a failed first attempt keeps retrying in the background
  /// while `done` is told of the failure.
  void async_connect(connect_fn done);

  /// One command. A Redis error reply is an error here: "redis 'URL': LPUSH: WRONGTYPE ...".
  void exec(command c, reply_fn done, std::source_location where = std::source_location::current());
  /// Many commands written at once, one span; replies in order. Error replies stay replies
  /// (reply::is_error()) so a caller sees partial success; the expected fails only when the
  /// connection fails. MULTI/EXEC may be part of the batch.
  void pipeline(std::vector<command> commands, replies_fn done,
                std::source_location where = std::source_location::current());
  /// EVALSHA of a script loaded once per connection; on NOSCRIPT, SCRIPT LOAD and retry once.
  /// One span named "EVALSHA" with db.stored_procedure.name = script.name().
  void eval(const script& s, std::vector<std::string> keys, std::vector<std::string> args,
            reply_fn done, std::source_location where = std::source_location::current());

  /// Called on every state change (on the executor).
  void on_state_change(std::function<void(connection_state)> fn);
  [[nodiscard]] connection_state state() const noexcept;
  /// Why it is not ready: the last connect failure or loss, as a message naming the redacted
  /// URL ("" once connected). From the executor only.
  [[nodiscard]] std::string last_error() const;
  [[nodiscard]] const connection_options& options() const noexcept;
  /// Disconnects; pending commands fail with errc::operation_canceled; no reconnect.
  void close() noexcept;

  struct impl;

 private:
  explicit connection(std::shared_ptr<impl> p);
  std::shared_ptr<impl> impl_;
};

}  // namespace vmterm::redis
