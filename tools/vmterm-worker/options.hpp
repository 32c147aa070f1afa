#pragma once
/// vmterm-worker's flags as typed, resolved settings: the worker (default, or `run`), `call`
/// and `inspect`. Each flag is declared once (core/flags.hpp: name, environment variables,
/// default, parser, help), so --help, the environment lookup, the errors and the behaviour agree.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/log.hpp"

namespace vmterm::worker {

/// Settings shared by the three commands.
struct common_settings {
  std::string broker;          ///< broker URL (text; lib/redis parses and reports it)
  std::string result_backend;  ///< result URL; default the broker's
  log::level log_level = log::level::info;
  log::format log_format = log::format::json;
};

/// The defaults are the flag declarations' (options.cpp), written nowhere else.
struct run_settings {
  common_settings common;
  std::vector<std::string> queues;
  int concurrency = 0;
  int prefetch = 0;
  std::string hostname;  ///< celery@<host>
  std::chrono::seconds visibility_timeout{};
  std::uint64_t max_tasks = 0;   ///< 0: no limit
  std::uint64_t max_memory = 0;  ///< bytes; 0: no limit
  std::chrono::milliseconds shutdown_timeout{};
  bool early_ack = false;
  bool task_events = false;
  std::string metrics_listen;  ///< "" = no metrics endpoint
  std::string metrics_token;   ///< bearer token for /metrics ("" = none, loopback only)
  std::vector<std::pair<std::string, std::string>> tasks;  ///< name, command
  std::string health_url;
  std::chrono::milliseconds time_limit{}, soft_time_limit{};
  std::chrono::milliseconds retry_delay{};
  int max_retries = 0;
  std::chrono::microseconds busy_poll{};  ///< asio::run_spinning's window; 0: block at once
};

struct call_settings {
  common_settings common;
  std::string task;
  std::string args_json, kwargs_json;
  std::string queue;
  int priority = 0;
  std::optional<std::chrono::microseconds> countdown;
  std::optional<std::string> eta;      ///< ISO-8601, validated
  std::optional<std::string> expires;  ///< a duration from now or an ISO-8601 time
  bool wait = false;
  bool ignore_result = false;  ///< the worker stores no result
  std::chrono::milliseconds timeout{};
  std::optional<std::string> bulk;        ///< file or "-"
  std::chrono::microseconds busy_poll{};  ///< with --wait: asio::run_spinning's window
};

struct inspect_settings {
  common_settings common;
  std::vector<std::string> queues;
  bool json = false;
};

/// The command the user gave, with its settings resolved.
struct options {
  enum class command { run, call, inspect } which = command::run;
  run_settings run;
  call_settings call;
  inspect_settings inspect;
};

/// Declares every flag and the subcommands, parses argv and resolves flag > environment >
/// default into `opt`. Returns an exit code when the program should end now (0 after --help
/// or --version; 2 after a usage error, printed as "vmterm-worker: ...; fix"), or nullopt.
[[nodiscard]] std::optional<int> parse_command_line(int argc, char** argv, options& opt);

/// A duration flag value: "250ms", "10s", "5m"; a bare number is seconds ("1.5" too).
/// Error: "--shutdown-timeout 'soon': 'soon' is not a duration; give e.g. 30s, 500ms or 2m".
[[nodiscard]] expected<std::chrono::milliseconds> parse_duration_flag(std::string_view flag,
                                                                      std::string_view text);

}  // namespace vmterm::worker
