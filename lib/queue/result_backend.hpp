#pragma once
/// Celery's Redis result backend: store (never overwriting a stored SUCCESS; SETEX with
/// result_expires, default 1 day; PUBLISH on the key's channel) and wait (`call --wait`:
/// SUBSCRIBE before sending, then GET once to close the race). The backend's URL may name a
/// different db than the broker's (Celery's default layout: broker /0, results /1).

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "queue/result.hpp"
#include "redis/connection.hpp"
#include "redis/subscriber.hpp"

namespace vmterm::queue {

class result_backend {
 public:
  /// `expires` 0 = no TTL (SET, as Celery without result_expires).
  explicit result_backend(std::shared_ptr<redis::connection> conn,
                          std::chrono::seconds expires = std::chrono::hours(24));

  /// One Lua script (atomic, one round trip): GET the key; when it holds SUCCESS, keep it
  /// and answer false; else SETEX + PUBLISH and answer true.
  void store(const result_meta& m, std::function<void(expected<bool>)> done);
  /// Many results in one pipeline (one round trip); answers per result.
  void store_many(const std::vector<result_meta>& ms,
                  std::function<void(expected<std::vector<bool>>)> done);
  /// GET + decode; nullopt when no result is stored (PENDING).
  void get(std::string task_id, std::function<void(expected<std::optional<result_meta>>)> done);

 private:
  std::shared_ptr<redis::connection> conn_;
  std::chrono::seconds expires_;
};

/// Waits for task results. subscribe(id) BEFORE the task is sent (as Celery's on_task_call),
/// then wait(id): the first ready result (SUCCESS/FAILURE/REVOKED) from a PUBLISH, or from
/// one GET issued after the subscription is confirmed (closes the race with a fast worker),
/// or after a re-subscribe. RETRY/STARTED publishes are passed to `progress` and the wait
/// goes on.
class result_waiter : public std::enable_shared_from_this<result_waiter> {
 public:
  using result_fn = std::function<void(expected<result_meta>)>;

  /// `redis` names the result db; the waiter opens its own subscriber and one connection for
  /// the GET.
  [[nodiscard]] static std::shared_ptr<result_waiter> create(boost::asio::any_io_executor executor,
                                                             redis::connection_options redis);
  /// The same with the GET sent over `get_connection`, a connection to the result db that the
  /// caller connects and closes (task_call's to the broker, when the backend is the broker's
  /// server and db): the waiter then opens only its subscriber, one connection fewer.
  [[nodiscard]] static std::shared_ptr<result_waiter> create(
      boost::asio::any_io_executor executor, redis::connection_options redis,
      std::shared_ptr<redis::connection> get_connection);
  ~result_waiter();

  /// Connects the subscriber and, unless the caller gave it, the GET connection.
  void async_connect(std::function<void(expected<void>)> done);
  /// SUBSCRIBE celery-task-meta-<id>; `done` once Redis confirmed (send the task then).
  void subscribe(const std::string& task_id, std::function<void(expected<void>)> done);
  /// For a client that sends many tasks and waits for each (an in-process client): ONE
  /// PSUBSCRIBE, kept, to the result channels of every id next_id() hands out; `done` once
  /// Redis confirmed it. A task whose id comes from next_id() then needs no subscribe(), and
  /// its wait() no GET: the pattern was subscribed before the task was sent, so its PUBLISH
  /// cannot be missed (after a reconnect the waiter GETs what it waits for, as always).
  void subscribe_own(std::function<void(expected<void>)> done);
  /// A fresh uuid4 whose result subscribe_own()'s pattern covers: every id of this waiter
  /// shares its first 60 random bits ("xxxxxxxx-xxxx-4xxx-"), the other 62 are fresh.
  [[nodiscard]] std::string next_id();
  /// The ready result, or errc::timed_out after `timeout`:
  /// "task <id>: no result within 5 s (is a worker consuming queue 'celery'?)".
  void wait(const std::string& task_id, std::chrono::milliseconds timeout, result_fn done,
            std::function<void(const result_meta&)> progress = {});
  void close() noexcept;

  struct impl;

 private:
  explicit result_waiter(std::shared_ptr<impl> p);
  std::shared_ptr<impl> impl_;
};

}  // namespace vmterm::queue
