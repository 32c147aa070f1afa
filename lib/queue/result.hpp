#pragma once
/// Celery's stored task results (celery.md §1.5): `celery-task-meta-<id>` holds
///   {"status", "result", "traceback", "children", "date_done", "task_id"
///    [, "group_id"] [, "parent_id"] [, "name", "args", "kwargs", "worker", "retries", "queue"]}
/// (the last six with result_extended). Pure; thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "queue/message.hpp"

namespace vmterm::queue {

/// Celery's states. PENDING is never stored (it is what a missing key means).
enum class task_state : std::uint8_t {
  pending,
  received,
  started,
  success,
  failure,
  retry,
  revoked
};
[[nodiscard]] std::string_view to_string(task_state s) noexcept;  ///< "SUCCESS", ...
[[nodiscard]] std::optional<task_state> parse_task_state(std::string_view s) noexcept;
/// SUCCESS, FAILURE and REVOKED: what AsyncResult.get() returns or raises on.
[[nodiscard]] bool is_ready(task_state s) noexcept;

/// The key (and PUBLISH channel) of a task's result: "celery-task-meta-<id>".
[[nodiscard]] std::string result_key(std::string_view task_id);

/// A failure in Celery's exception shape, so AsyncResult.get() raises it in Python:
/// {"exc_type": "ValueError", "exc_message": ["boom"], "exc_module": "builtins"}.
struct task_exception {
  std::string type = "Exception";  ///< Python class name
  std::string module = "builtins";
  json message = json::array();  ///< the exception's args (a list); a string is wrapped in one
};

struct result_meta {
  task_state status = task_state::success;
  /// SUCCESS: the return value; RETRY/others: usually null. FAILURE/RETRY with `exception`
  /// set: written from it instead.
  json result;
  std::optional<task_exception> exception;
  std::optional<std::string> traceback;  ///< null when absent
  json children = json::array();
  /// Celery 5.2.6 writes a naive UTC isoformat; RETRY writes null.
  std::optional<timestamp> date_done;
  bool date_done_offset = false;  ///< write "+00:00" (Celery >= 5.5 style) instead of naive
  std::string task_id;
  std::optional<std::string> group_id, parent_id;
  /// result_extended fields; written only when `extended` is true (name..queue, in that order).
  bool extended = false;
  std::string name;
  json args, kwargs;
  std::string worker;
  std::int64_t retries = 0;
  std::string queue;
};

/// Celery's JSON for `m` (python_json, keys in Celery's order; golden-tested against the
/// fixtures).
[[nodiscard]] std::string encode_result(const result_meta& m);

/// Reads a stored/published value. Accepts naive and "+00:00" date_done, any key order, and
/// unknown keys (ignored). A FAILURE whose result has exc_type is read into `exception`.
/// Error: "result 'celery-task-meta-<id>': <what is wrong>".
[[nodiscard]] expected<result_meta> decode_result(std::string_view text);

}  // namespace vmterm::queue
