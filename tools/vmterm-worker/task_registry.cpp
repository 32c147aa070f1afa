#include "task_registry.hpp"

#include <fstream>

#include "builtin_tasks.hpp"
#include "shell_task.hpp"

namespace vmterm::worker {

namespace {
bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
          c == ':'))
      return false;
  }
  return true;
}
}  // namespace

expected<std::pair<std::string, std::string>> parse_task_spec(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos) {
    return fail(std::errc::invalid_argument,
                "'" + std::string(text) + "' has no '='; write NAME=COMMAND, e.g. add=./add.sh");
  }
  std::string name(text.substr(0, eq));
  std::string command(text.substr(eq + 1));
  if (!valid_name(name)) {
    return fail(std::errc::invalid_argument,
                "'" + std::string(text) + "': task name '" + name +
                    "' is not a name; use letters, digits and . _ - : (e.g. tasks.add)");
  }
  if (command.find_first_not_of(" \t") == std::string::npos) {
    return fail(std::errc::invalid_argument,
                "'" + std::string(text) + "': the command is empty; write NAME=COMMAND");
  }
  return std::pair{std::move(name), std::move(command)};
}

expected<std::vector<std::pair<std::string, std::string>>> read_tasks_file(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return fail(
        std::errc::no_such_file_or_directory,
        "cannot read tasks file '" + path + "'; give a readable file of NAME=COMMAND lines");
  }
  std::vector<std::pair<std::string, std::string>> out;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    if (line.ends_with('\r')) line.pop_back();
    auto spec = parse_task_spec(std::string_view(line).substr(first));
    if (!spec) {
      return fail(std::errc::invalid_argument,
                  path + ":" + std::to_string(number) + ": " + spec.error().message);
    }
    out.push_back(std::move(*spec));
  }
  return out;
}

task_registry::task_registry(builtin_options options, blocking_pool& pool) {
  tasks_["noop"] = &run_noop;
  tasks_["echo"] = &run_echo;
  tasks_["sleep"] = &run_sleep;
  tasks_["health_check"] = [options = std::move(options), &pool](auto ex, const task_call& call,
                                                                 outcome_fn done) {
    return run_health_check(ex, call, std::move(done), options, pool);
  };
}

void task_registry::add_shell(std::string name, std::string command) {
  tasks_[std::move(name)] = [command = std::move(command)](auto ex, const task_call& call,
                                                           outcome_fn done) {
    return start_shell_task(ex, command, call, std::move(done));
  };
}

bool task_registry::contains(std::string_view name) const {
  return tasks_.find(name) != tasks_.end();
}

std::vector<std::string> task_registry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, _] : tasks_) out.push_back(name);
  return out;
}

std::shared_ptr<running_task> task_registry::start(boost::asio::any_io_executor ex,
                                                   const task_call& call, outcome_fn done) const {
  return tasks_.find(call.name)->second(ex, call, std::move(done));
}

}  // namespace vmterm::worker
