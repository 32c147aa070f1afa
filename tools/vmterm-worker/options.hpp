#pragma once
/// vmterm-worker's flags as typed, resolved settings: the worker (default, or `run`), `call`
/// and `inspect`. Text from CLI11 is resolved here (flag > environment > default) into
/// settings whose errors name the input and the fix.

#include <CLI/CLI.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/log.hpp"

namespace vmterm::worker {

inline constexpr const char* default_broker = "redis://127.0.0.1:6379/0";
inline constexpr const char* default_health_url = "http://127.0.0.1:8000/health-check/";

/// The command line as text (what CLI11 collected).
struct options {
  // shared
  std::optional<std::string> broker, result_backend, log_format, log_level;
  // run
  std::vector<std::string> queues;
  std::optional<std::string> concurrency, prefetch, hostname, visibility_timeout, max_tasks,
      max_memory, shutdown_timeout, metrics_listen, token_file, health_url, time_limit,
      soft_time_limit, retry_delay, max_retries, tasks_file;
  std::vector<std::string> tasks;
  bool early_ack = false, task_events = false;
  // call
  std::string task;
  std::optional<std::string> args, kwargs, queue, countdown, eta, expires, priority, timeout, bulk;
  bool wait = false, ignore_result = false;
  // inspect
  bool json = false;
  // which
  enum class command { run, call, inspect } which = command::run;
};

/// Declares every flag and the two subcommands on `app`; `opt` receives the text.
void add_flags(CLI::App& app, options& opt);

/// Settings shared by the three commands.
struct common_settings {
  std::string broker;          ///< broker URL (text; lib/redis parses and reports it)
  std::string result_backend;  ///< result URL; default the broker's
  log::level log_level = log::level::info;
  log::format log_format = log::format::json;
};

struct run_settings {
  common_settings common;
  std::vector<std::string> queues{"celery"};
  int concurrency = 4;
  int prefetch = 64;
  std::string hostname;  ///< celery@<host>
  std::chrono::seconds visibility_timeout{3600};
  std::uint64_t max_tasks = 0;   ///< 0: no limit
  std::uint64_t max_memory = 0;  ///< bytes; 0: no limit
  std::chrono::milliseconds shutdown_timeout{30000};
  bool early_ack = false;
  bool task_events = false;
  std::string metrics_listen;  ///< "" = no metrics endpoint
  std::string metrics_token;   ///< bearer token for /metrics ("" = none, loopback only)
  std::vector<std::pair<std::string, std::string>> tasks;  ///< name, command
  std::string health_url = default_health_url;
  std::chrono::milliseconds time_limit{0}, soft_time_limit{0};
  std::chrono::milliseconds retry_delay{180000};
  int max_retries = 3;
};

struct call_settings {
  common_settings common;
  std::string task;
  std::string args_json = "[]", kwargs_json = "{}";
  std::string queue = "celery";
  int priority = 0;
  std::optional<std::chrono::microseconds> countdown;
  std::optional<std::string> eta;      ///< ISO-8601, validated
  std::optional<std::string> expires;  ///< a duration from now or an ISO-8601 time
  bool wait = false;
  bool ignore_result = false;  ///< the worker stores no result
  std::chrono::milliseconds timeout{30000};
  std::optional<std::string> bulk;  ///< file or "-"
};

struct inspect_settings {
  common_settings common;
  std::vector<std::string> queues{"celery"};
  bool json = false;
};

[[nodiscard]] expected<run_settings> resolve_run(const options& o, const config::env_lookup& env);
[[nodiscard]] expected<call_settings> resolve_call(const options& o, const config::env_lookup& env);
[[nodiscard]] expected<inspect_settings> resolve_inspect(const options& o,
                                                         const config::env_lookup& env);

/// A duration flag value: "250ms", "10s", "5m"; a bare number is seconds ("1.5" too).
/// Error: "--shutdown-timeout 'soon': 'soon' is not a duration; give e.g. 30s, 500ms or 2m".
[[nodiscard]] expected<std::chrono::milliseconds> parse_duration_flag(std::string_view flag,
                                                                      std::string_view text);

}  // namespace vmterm::worker
