#include "options.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>

#include "core/flags.hpp"
#include "core/parse.hpp"
#include "http/metrics_endpoint.hpp"
#include "http/metrics_flags.hpp"
#include "task_registry.hpp"

namespace vmterm::worker {
namespace {

using namespace std::chrono_literals;
using config::flag;
using config::list_flag;
using std::chrono::milliseconds;
constexpr const char* tool = "vmterm-worker";

/// The text of the flags that are resolved further after parsing (files read, texts turned
/// into enums, durations into other units).
struct raw_flags {
  std::string log_format, log_level;
  std::optional<std::string> result_backend;
  milliseconds visibility_timeout{};
  std::optional<std::string> hostname, token_file, tasks_file;
  std::vector<std::string> tasks;
  std::optional<milliseconds> countdown;
};

/// A whole number in [min, max]: "--concurrency 'abc': must be a whole number from 1 to 10000".
template <class T>
config::parse_fn<T> whole(std::int64_t min, std::int64_t max) {
  return [min, max](std::string_view text) -> expected<T> {
    auto v = parse::integer(parse::trim(text), min, max);
    if (!v) {
      return fail(
          std::errc::invalid_argument,
          "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    }
    return static_cast<T>(*v);
  };
}

/// "250ms", "10s", "5m"; a bare number is seconds, "1.5" too. The reason quotes the text:
/// "'soon' is not a duration; give e.g. 30s, 500ms or 2m".
expected<milliseconds> duration_value(std::string_view text) {
  const std::string_view t = parse::trim(text);
  if (auto d = parse::duration(t, std::chrono::seconds(1)); d) {
    return std::chrono::duration_cast<milliseconds>(*d);
  }
  if (auto n = parse::number(t); n && *n >= 0 && *n < 1e9) {
    return milliseconds(std::llround(*n * 1000));
  }
  return fail(std::errc::invalid_argument,
              "'" + std::string(text) + "' is not a duration; give e.g. 30s, 500ms or 2m");
}

flag<milliseconds> duration_flag(std::string name, std::string help, milliseconds fallback,
                                 std::string note = {}) {
  return {.name = std::move(name),
          .value_name = "DURATION",
          .help = std::move(help),
          .fallback = fallback,
          .parse = &duration_value,
          .default_note = std::move(note),
          .quote_text = true};
}

/// --busy-poll: how long a loop keeps polling its sockets before it blocks (asio/spin.hpp).
/// At most 10ms: past that, waking a halted vCPU costs less than the spinning.
flag<std::chrono::microseconds> busy_poll_flag(std::string help, std::chrono::microseconds fallback,
                                               std::string note) {
  return {.name = "--busy-poll",
          .env = {"VMTERM_BUSY_POLL"},
          .value_name = "DURATION",
          .help = std::move(help),
          .fallback = fallback,
          .check = [](const std::chrono::microseconds& d) -> std::optional<std::string> {
            if (d > 10ms) return "at most 10ms; give e.g. 250us, or 0 to block at once";
            return std::nullopt;
          },
          .parse = [](std::string_view text) -> expected<std::chrono::microseconds> {
            if (auto d = parse::duration(parse::trim(text), std::chrono::seconds(1)); d) {
              return std::chrono::duration_cast<std::chrono::microseconds>(*d);
            }
            return fail(std::errc::invalid_argument,
                        "'" + std::string(text) + "' is not a duration; give e.g. 250us, 1ms or 0");
          },
          .default_note = std::move(note),
          .quote_text = true};
}

void add_common(config::flag_set& f, common_settings& c, raw_flags& raw) {
  f.add(c.broker,
        flag<std::string>{.name = "-b,--broker",
                          .env = {"VMTERM_REDIS_URL", "CELERY_BROKER_URL"},
                          .value_name = "URL",
                          .help = "the Redis broker, redis://[user:password@]host:port/db or "
                                  "unix:///path",
                          .fallback = "redis://127.0.0.1:6379/0"});
  f.add(raw.result_backend, flag<std::optional<std::string>>{
                                .name = "--result-backend",
                                .env = {"CELERY_RESULT_BACKEND"},
                                .value_name = "URL",
                                .help = "where results are stored and read, a redis:// URL",
                                .default_note = ": the broker's URL"});
  config::add_log_flags(f, raw.log_format, raw.log_level);
}

void add_run_limits(config::flag_set& f, run_settings& s, raw_flags& raw) {
  f.add(s.queues, list_flag<std::string>{.name = "-Q,--queues",
                                         .value_name = "QUEUE",
                                         .help = "consume these queues in priority order, "
                                                 "repeatable or comma-separated",
                                         .fallback = {"celery"}});
  f.add(s.concurrency, flag<int>{.name = "-c,--concurrency",
                                 .value_name = "N",
                                 .help = "run this many tasks at once",
                                 .fallback = 4,
                                 .parse = whole<int>(1, 10000),
                                 .quote_text = true});
  f.add(s.prefetch, flag<int>{.name = "--prefetch",
                              .value_name = "N",
                              .help = "take up to this many more messages than are running, to "
                                      "have the next ready",
                              .fallback = 64,
                              .parse = whole<int>(0, 100000),
                              .quote_text = true});
  f.add(raw.hostname,
        flag<std::optional<std::string>>{.name = "-n,--hostname",
                                         .value_name = "NAME",
                                         .help = "this worker's node name, Celery style",
                                         .default_note = " celery@<host name>"});
  f.add(raw.visibility_timeout,
        duration_flag("--visibility-timeout",
                      "restore messages a real Celery worker took and did not ack after this "
                      "long, as kombu does",
                      1h));
  f.add(s.max_tasks, flag<std::uint64_t>{.name = "--max-tasks",
                                         .value_name = "N",
                                         .help = "exit (0) after this many tasks, for a "
                                                 "supervisor to restart it",
                                         .parse = whole<std::uint64_t>(0, std::int64_t{1} << 50),
                                         .default_note = ": never",
                                         .quote_text = true});
  f.add(s.max_memory,
        flag<std::uint64_t>{
            .name = "--max-memory",
            .value_name = "SIZE",
            .help = "exit (0) after a task once the resident memory is above this, e.g. 200MiB",
            .parse = [](std::string_view text) -> expected<std::uint64_t> {
              auto v = parse::size(parse::trim(text));
              if (!v) {
                return fail(std::errc::invalid_argument, "not a size; give e.g. 200MiB, 1GiB or 0");
              }
              return *v;
            },
            .default_note = ": never",
            .quote_text = true});
  f.add(s.shutdown_timeout,
        duration_flag("--shutdown-timeout",
                      "on SIGTERM, wait this long for running tasks, then stop them and give "
                      "their messages back",
                      30s));
  f.add(s.early_ack, flag<bool>{.name = "--early-ack",
                                .help = "ack a message when its task starts, not after it ends "
                                        "(a task killed mid-run is then not run again)"});
  f.add(s.task_events, flag<bool>{.name = "-E,--task-events",
                                  .help = "send task-received/started/succeeded/failed events "
                                          "for celery events and Flower"});
}

void add_run_services(config::flag_set& f, run_settings& s, raw_flags& raw) {
  http::add_metrics_flags(f, s.metrics_listen, raw.token_file);
  f.add(raw.tasks, list_flag<std::string>{.name = "--task",
                                          .value_name = "NAME=COMMAND",
                                          .help = "a shell task: NAME=COMMAND, run with /bin/sh "
                                                  "-c (repeatable)",
                                          .split_commas = false});
  f.add(raw.tasks_file, flag<std::optional<std::string>>{
                            .name = "--tasks-file",
                            .value_name = "FILE",
                            .help = "shell tasks, one NAME=COMMAND per line (# comments)"});
  f.add(s.health_url, flag<std::string>{.name = "--health-url",
                                        .env = {"VMTERM_HEALTH_URL"},
                                        .value_name = "URL",
                                        .help = "the URL the health_check task GETs",
                                        .fallback = "http://127.0.0.1:8000/health-check/"});
  f.add(s.time_limit,
        duration_flag("--time-limit", "hard time limit for tasks whose message has none", 0ms,
                      ": none"));
  f.add(s.soft_time_limit,
        duration_flag("--soft-time-limit",
                      "soft time limit (SIGTERM) for tasks whose message has none", 0ms, ": none"));
  f.add(s.retry_delay,
        duration_flag("--retry-delay",
                      "a shell task that exits 75 (EX_TEMPFAIL) runs again after this long", 180s));
  f.add(s.max_retries, flag<int>{.name = "--max-retries",
                                 .value_name = "N",
                                 .help = "at most this many retries, then FAILURE "
                                         "MaxRetriesExceededError",
                                 .fallback = 3,
                                 .parse = whole<int>(0, 1000000),
                                 .quote_text = true});
  f.add(s.busy_poll,
        busy_poll_flag("after each burst of work, keep polling the sockets this long before "
                       "blocking: the next task or reply finds the worker's vCPU awake, at up to "
                       "this much CPU per idle wake-up",
                       0us, ": block at once"));
}

void add_call(CLI::App& call, config::flag_set& f, call_settings& s, raw_flags& raw) {
  call.add_option("TASK", s.task, "the task's registered name, e.g. health_check or app.add")
      ->required();
  f.add(s.args_json, flag<std::string>{.name = "--args",
                                       .value_name = "JSON",
                                       .help = "positional arguments, a JSON array",
                                       .fallback = "[]"});
  f.add(s.kwargs_json, flag<std::string>{.name = "--kwargs",
                                         .value_name = "JSON",
                                         .help = "keyword arguments, a JSON object",
                                         .fallback = "{}"});
  f.add(s.queue, flag<std::string>{.name = "--queue",
                                   .value_name = "QUEUE",
                                   .help = "send to this queue",
                                   .fallback = "celery"});
  auto* countdown = f.add(raw.countdown, flag<std::optional<milliseconds>>{
                                             .name = "--countdown",
                                             .value_name = "DURATION",
                                             .help = "run it no sooner than this long from now, "
                                                     "e.g. 10s",
                                             .parse = &duration_value,
                                             .quote_text = true});
  auto* eta = f.add(s.eta, flag<std::optional<std::string>>{
                               .name = "--eta",
                               .value_name = "TIME",
                               .help = "run it no sooner than this time, ISO-8601 (naive is UTC)"});
  countdown->excludes(eta);
  f.add(s.expires, flag<std::optional<std::string>>{
                       .name = "--expires",
                       .value_name = "DURATION|TIME",
                       .help = "revoke it if not started by then: a duration from now or an "
                               "ISO-8601 time"});
  f.add(s.priority, flag<int>{.name = "--priority",
                              .value_name = "N",
                              .help = "0 (highest) to 9",
                              .parse = whole<int>(0, 9),
                              .quote_text = true});
  f.add(s.wait, flag<bool>{.name = "--wait",
                           .help = "wait for the result and print it as JSON (exit 1 on FAILURE)"});
  f.add(s.ignore_result,
        flag<bool>{.name = "--ignore-result",
                   .help = "ask the worker not to store a result (Celery's ignore_result)"});
  f.add(s.timeout, duration_flag("--timeout", "with --wait: give up after this long", 30s));
  f.add(s.busy_poll,
        busy_poll_flag("with --wait: poll for the result this long past the last event before "
                       "blocking (an idle vCPU wakes slowly), for the CPU spent polling",
                       250us, "; 0: block at once"));
  f.add(s.bulk, flag<std::optional<std::string>>{
                    .name = "--bulk",
                    .value_name = "FILE|-",
                    .help = "send one task per line of FILE (- for stdin): JSON {\"args\":[..],"
                            "\"kwargs\":{..}} or an args array; pipelined"});
}

std::string default_hostname() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "celery@localhost";
  return std::string("celery@") + host;
}

expected<void> resolve_tasks(const raw_flags& raw, run_settings& s) {
  if (raw.tasks_file) {
    auto file = read_tasks_file(*raw.tasks_file);
    if (!file) return fail(std::errc::invalid_argument, "--tasks-file " + file.error().message);
    for (auto& t : *file) s.tasks.push_back(std::move(t));
  }
  for (const auto& text : raw.tasks) {
    auto t = parse_task_spec(text);
    if (!t) return fail(std::errc::invalid_argument, "--task " + t.error().message);
    s.tasks.push_back(std::move(*t));
  }
  return {};
}

expected<std::string> read_token(const std::optional<std::string>& file) {
  if (!file) return config::process_env()("VMTERM_TOKEN").value_or("");
  return http::read_token_file(*file, "--token-file");  // the same words as vmterm-beat's
}

/// What the flags left as text, turned into the settings' types.
expected<void> finish(const raw_flags& raw, options& opt) {
  auto& c = opt.run.common;
  c.result_backend = raw.result_backend.value_or(c.broker);
  c.log_format = *log::parse_format(raw.log_format);
  c.log_level = *log::parse_level(raw.log_level);
  opt.call.common = c;
  opt.inspect.common = c;
  opt.inspect.queues = opt.run.queues;
  if (opt.which != options::command::run) {
    if (raw.countdown) {
      opt.call.countdown = std::chrono::duration_cast<std::chrono::microseconds>(*raw.countdown);
    }
    return {};
  }
  auto& s = opt.run;
  s.hostname = raw.hostname.value_or(default_hostname());
  s.visibility_timeout = std::chrono::duration_cast<std::chrono::seconds>(raw.visibility_timeout);
  auto token = read_token(raw.token_file);
  if (!token) return tl::unexpected(token.error());
  s.metrics_token = std::move(*token);
  return resolve_tasks(raw, s);
}

}  // namespace

expected<milliseconds> parse_duration_flag(std::string_view flag, std::string_view text) {
  auto d = duration_value(text);
  if (!d) {
    return fail(std::errc::invalid_argument,
                std::string(flag) + " '" + std::string(text) + "': " + d.error().message);
  }
  return d;
}

std::optional<int> parse_command_line(int argc, char** argv, options& opt) {
  CLI::App app{
      "vmterm-worker: run Celery tasks from Redis; send them (call); list workers and "
      "queues (inspect)"};
  app.name(tool);
  raw_flags raw;
  config::flag_set flags(app);
  add_common(flags, opt.run.common, raw);
  add_run_limits(flags, opt.run, raw);
  add_run_services(flags, opt.run, raw);
  auto* run = app.add_subcommand("run", "run the worker (the default)");
  run->fallthrough();
  run->callback([&opt] { opt.which = options::command::run; });
  auto* call = app.add_subcommand("call", "send a task; print its id, or its result with --wait");
  call->fallthrough();
  config::flag_set call_flags(*call);
  add_call(*call, call_flags, opt.call, raw);
  call->callback([&opt] { opt.which = options::command::call; });
  auto* inspect =
      app.add_subcommand("inspect", "list live workers (from their leases) and queue depths");
  inspect->fallthrough();
  config::flag_set inspect_flags(*inspect);
  inspect_flags.add(opt.inspect.json, flag<bool>{.name = "--json", .help = "print JSON for jq"});
  inspect->callback([&opt] { opt.which = options::command::inspect; });
  app.require_subcommand(0, 1);

  if (auto code = config::parse_command_line(app, argc, argv, tool, {&flags})) return code;
  // A subcommand's own flags resolve only when it was given.
  for (auto* f : {opt.which == options::command::call ? &call_flags : nullptr,
                  opt.which == options::command::inspect ? &inspect_flags : nullptr}) {
    if (f == nullptr) continue;
    if (auto ok = f->resolve(); !ok) return config::refuse(tool, ok.error());
  }
  if (auto ok = finish(raw, opt); !ok) return config::refuse(tool, ok.error());
  return std::nullopt;
}

}  // namespace vmterm::worker
