#pragma once
/// What a task is given and what it gives back, apart from how it came (a Celery message) and
/// where its result goes (the result backend): the seam between the consume loop and the code
/// that runs tasks (built-ins, shell commands).

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

namespace vmterm::worker {

/// JSON as lib/queue keeps it (insertion order, as Python dicts).
using json = nlohmann::ordered_json;

/// One run of a task.
struct task_call {
  std::string id;
  std::string name;
  json args = json::array();
  json kwargs = json::object();
  /// The run span's traceparent, handed to what the task starts (HTTP header, TRACEPARENT).
  std::string traceparent;
  std::chrono::milliseconds hard_limit{0};  ///< 0: none; past it the task is killed
  std::chrono::milliseconds soft_limit{0};  ///< 0: none; past it the task is asked to stop
};

/// How a run ended. A failure carries Celery's exception shape, so AsyncResult.get() raises.
struct task_outcome {
  bool ok = true;
  json result;              ///< the return value (ok) or nothing
  std::string exc_type;     ///< "TimeLimitExceeded"
  std::string exc_module;   ///< "billiard.exceptions"; empty: none
  std::string exc_message;  ///< one argument of the exception
  std::string traceback;    ///< Celery's traceback text (a shell task: stderr's tail)
  /// The task asks to run again later (a shell task's exit status 75, EX_TEMPFAIL).
  bool retry = false;

  static task_outcome success(json value) {
    task_outcome o;
    o.result = std::move(value);
    return o;
  }
  static task_outcome failure(std::string type, std::string module, std::string message,
                              std::string traceback = {}) {
    task_outcome o;
    o.ok = false;
    o.exc_type = std::move(type);
    o.exc_module = std::move(module);
    o.exc_message = std::move(message);
    o.traceback = std::move(traceback);
    return o;
  }
};

using outcome_fn = std::function<void(task_outcome)>;

/// A task being run. Owned by the consume loop until its outcome is reported.
/// Threading: used from the worker's executor only; the outcome is reported on it too.
class running_task {
 public:
  virtual ~running_task() = default;
  /// Stops the task now (revoke with terminate, hard shutdown): the outcome still comes, as a
  /// failure naming the signal. Tasks that cannot be stopped (built-ins) ignore it and say so.
  virtual bool terminate(int signal) noexcept = 0;
};

}  // namespace vmterm::worker
