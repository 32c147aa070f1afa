#pragma once
/// The tasks a worker knows by name: the built-ins (health_check, echo, sleep, noop) and the
/// shell tasks of --task NAME=COMMAND and --tasks-file.

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "task.hpp"

namespace vmterm::worker {

class blocking_pool;

/// Parses one "NAME=COMMAND" (a --task value or a tasks-file line). Errors name the text and
/// the fix ("'add' has no '='; write NAME=COMMAND, e.g. add=./add.sh").
[[nodiscard]] expected<std::pair<std::string, std::string>> parse_task_spec(std::string_view text);

/// Reads a tasks file: one NAME=COMMAND per line; blank lines and lines starting with '#' are
/// skipped. Errors name the file and line ("tasks.txt:3: ...").
[[nodiscard]] expected<std::vector<std::pair<std::string, std::string>>> read_tasks_file(
    const std::string& path);

struct builtin_options {
  std::string health_url = "http://127.0.0.1:8000/health-check/";
  std::chrono::milliseconds health_timeout{10000};
};

class task_registry {
 public:
  using starter = std::function<std::shared_ptr<running_task>(boost::asio::any_io_executor,
                                                              const task_call&, outcome_fn)>;

  /// The built-ins; `pool` runs the ones that block (health_check's HTTP request). Not owned.
  task_registry(builtin_options options, blocking_pool& pool);

  /// Adds (or replaces: a shell task may shadow a built-in) a shell task.
  void add_shell(std::string name, std::string command);
  [[nodiscard]] bool contains(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> names() const;
  /// Starts `call`; the name must be known (contains()).
  std::shared_ptr<running_task> start(boost::asio::any_io_executor ex, const task_call& call,
                                      outcome_fn done) const;

 private:
  std::map<std::string, starter, std::less<>> tasks_;
};

}  // namespace vmterm::worker
