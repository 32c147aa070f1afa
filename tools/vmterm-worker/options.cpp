#include "options.hpp"

#include <unistd.h>

#include <cmath>
#include <fstream>

#include "core/parse.hpp"
#include "task_registry.hpp"

namespace vmterm::worker {
namespace {

using std::chrono::milliseconds;

void add_common(CLI::App& app, options& o) {
  app.add_option("-b,--broker", o.broker,
                 "the Redis broker, redis://[user:password@]host:port/db or unix:///path; env "
                 "VMTERM_REDIS_URL, CELERY_BROKER_URL (default " +
                     std::string(default_broker) + ")")
      ->type_name("URL");
  app.add_option("--result-backend", o.result_backend,
                 "where results are stored and read, a redis:// URL; env CELERY_RESULT_BACKEND "
                 "(default: the broker's URL)")
      ->type_name("URL");
  app.add_option("--log-format", o.log_format,
                 "json (one object per line) or text; env VMTERM_LOG_FORMAT (default json)")
      ->type_name("json|text");
  app.add_option("--log-level", o.log_level,
                 "debug, info, warn or error; env VMTERM_LOG_LEVEL (default info)")
      ->type_name("LEVEL");
}

void add_run(CLI::App& app, options& o) {
  app.add_option("-Q,--queues", o.queues,
                 "consume these queues, in priority order (repeatable or comma-separated; "
                 "default celery)")
      ->type_name("QUEUE")
      ->delimiter(',');
  app.add_option("-c,--concurrency", o.concurrency, "run this many tasks at once (default 4)")
      ->type_name("N");
  app.add_option("--prefetch", o.prefetch,
                 "take up to this many more messages than are running, to have the next ready "
                 "(default 64)")
      ->type_name("N");
  app.add_option("-n,--hostname", o.hostname,
                 "this worker's node name, Celery style (default celery@<host name>)")
      ->type_name("NAME");
  app.add_option("--visibility-timeout", o.visibility_timeout,
                 "restore messages a real Celery worker took and did not ack after this long, "
                 "as kombu does (default 1h)")
      ->type_name("DURATION");
  app.add_option("--max-tasks", o.max_tasks,
                 "exit (0) after this many tasks, for a supervisor to restart it (default 0: "
                 "never)")
      ->type_name("N");
  app.add_option("--max-memory", o.max_memory,
                 "exit (0) after a task once the resident memory is above this, e.g. 200MiB "
                 "(default 0: never)")
      ->type_name("SIZE");
  app.add_option("--shutdown-timeout", o.shutdown_timeout,
                 "on SIGTERM, wait this long for running tasks, then stop them and give their "
                 "messages back (default 30s)")
      ->type_name("DURATION");
  app.add_flag("--early-ack", o.early_ack,
               "ack a message when its task starts, not after it ends (a task killed mid-run is "
               "then not run again)");
  app.add_flag("-E,--task-events", o.task_events,
               "send task-received/started/succeeded/failed events for celery events and Flower");
  app.add_option("--metrics-listen", o.metrics_listen,
                 "serve Prometheus metrics at http://HOST:PORT/metrics; env "
                 "VMTERM_METRICS_LISTEN (default: none)")
      ->type_name("HOST:PORT");
  app.add_option("--token-file", o.token_file,
                 "the bearer token /metrics requires is the first line of this file; env "
                 "VMTERM_TOKEN_FILE, or the token itself in VMTERM_TOKEN (default: none, only "
                 "on a loopback address)")
      ->type_name("FILE");
  app.add_option("--task", o.tasks, "a shell task: NAME=COMMAND, run with /bin/sh -c (repeatable)")
      ->type_name("NAME=COMMAND");
  app.add_option("--tasks-file", o.tasks_file,
                 "shell tasks, one NAME=COMMAND per line (# comments)")
      ->type_name("FILE");
  app.add_option("--health-url", o.health_url,
                 "the URL the health_check task GETs; env VMTERM_HEALTH_URL (default " +
                     std::string(default_health_url) + ")")
      ->type_name("URL");
  app.add_option("--time-limit", o.time_limit,
                 "hard time limit for tasks whose message has none (default 0: none)")
      ->type_name("DURATION");
  app.add_option("--soft-time-limit", o.soft_time_limit,
                 "soft time limit (SIGTERM) for tasks whose message has none (default 0: none)")
      ->type_name("DURATION");
  app.add_option("--retry-delay", o.retry_delay,
                 "a shell task that exits 75 (EX_TEMPFAIL) runs again after this long (default "
                 "180s)")
      ->type_name("DURATION");
  app.add_option("--max-retries", o.max_retries,
                 "at most this many retries, then FAILURE MaxRetriesExceededError (default 3)")
      ->type_name("N");
}

void add_call(CLI::App& call, options& o) {
  call.add_option("TASK", o.task, "the task's registered name, e.g. health_check or app.add")
      ->required();
  call.add_option("--args", o.args, "positional arguments, a JSON array (default [])")
      ->type_name("JSON");
  call.add_option("--kwargs", o.kwargs, "keyword arguments, a JSON object (default {})")
      ->type_name("JSON");
  call.add_option("--queue", o.queue, "send to this queue (default celery)")->type_name("QUEUE");
  auto* countdown = call.add_option("--countdown", o.countdown,
                                    "run it no sooner than this long from now, e.g. 10s")
                        ->type_name("DURATION");
  auto* eta =
      call.add_option("--eta", o.eta, "run it no sooner than this time, ISO-8601 (naive is UTC)")
          ->type_name("TIME");
  countdown->excludes(eta);
  call.add_option("--expires", o.expires,
                  "revoke it if not started by then: a duration from now or an ISO-8601 time")
      ->type_name("DURATION|TIME");
  call.add_option("--priority", o.priority, "0 (highest) to 9 (default 0)")->type_name("N");
  call.add_flag("--wait", o.wait, "wait for the result and print it as JSON (exit 1 on FAILURE)");
  call.add_flag("--ignore-result", o.ignore_result,
                "ask the worker not to store a result (Celery's ignore_result)");
  call.add_option("--timeout", o.timeout, "with --wait: give up after this long (default 30s)")
      ->type_name("DURATION");
  call.add_option("--bulk", o.bulk,
                  "send one task per line of FILE (- for stdin): JSON {\"args\":[..],"
                  "\"kwargs\":{..}} or an args array; pipelined")
      ->type_name("FILE|-");
}

std::optional<std::string> pick(const std::optional<std::string>& flag,
                                std::initializer_list<const char*> envs,
                                const config::env_lookup& env) {
  if (flag) return flag;
  for (const char* name : envs) {
    if (auto v = env(name)) return v;
  }
  return std::nullopt;
}

template <class T>
expected<T> whole(std::string_view flag, const std::optional<std::string>& text, T fallback,
                  std::int64_t min, std::int64_t max) {
  if (!text) return fallback;
  auto v = parse::integer(parse::trim(*text), min, max);
  if (!v) {
    return fail(std::errc::invalid_argument,
                std::string(flag) + " '" + *text + "': must be a whole number from " +
                    std::to_string(min) + " to " + std::to_string(max));
  }
  return static_cast<T>(*v);
}

expected<milliseconds> duration_or(std::string_view flag, const std::optional<std::string>& text,
                                   milliseconds fallback) {
  if (!text) return fallback;
  return parse_duration_flag(flag, *text);
}

expected<std::uint64_t> parse_size(std::string_view flag, const std::string& text) {
  static constexpr std::pair<std::string_view, std::uint64_t> units[] = {
      {"GiB", 1ull << 30}, {"MiB", 1ull << 20}, {"KiB", 1ull << 10}, {"GB", 1000000000ull},
      {"MB", 1000000ull},  {"KB", 1000ull},     {"B", 1ull}};
  std::string_view t = parse::trim(text);
  std::uint64_t mult = 1;
  for (auto [suffix, m] : units) {
    if (t.ends_with(suffix)) {
      t.remove_suffix(suffix.size());
      mult = m;
      break;
    }
  }
  auto v = parse::integer(parse::trim(t), 0, std::int64_t{1} << 50);
  if (!v) {
    return fail(std::errc::invalid_argument,
                std::string(flag) + " '" + text + "': not a size; give e.g. 200MiB, 1GiB or 0");
  }
  return static_cast<std::uint64_t>(*v) * mult;
}

expected<common_settings> resolve_common(const options& o, const config::env_lookup& env) {
  common_settings c;
  c.broker =
      pick(o.broker, {"VMTERM_REDIS_URL", "CELERY_BROKER_URL"}, env).value_or(default_broker);
  c.result_backend = pick(o.result_backend, {"CELERY_RESULT_BACKEND"}, env).value_or(c.broker);
  if (auto f = pick(o.log_format, {"VMTERM_LOG_FORMAT"}, env)) {
    auto p = log::parse_format(*f);
    if (!p) return fail(std::errc::invalid_argument, "--log-format: " + p.error().message);
    c.log_format = *p;
  }
  if (auto l = pick(o.log_level, {"VMTERM_LOG_LEVEL"}, env)) {
    auto p = log::parse_level(*l);
    if (!p) return fail(std::errc::invalid_argument, "--log-level: " + p.error().message);
    c.log_level = *p;
  }
  return c;
}

std::string default_hostname() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "celery@localhost";
  return std::string("celery@") + host;
}

expected<void> resolve_tasks(const options& o, run_settings& s) {
  if (o.tasks_file) {
    auto file = read_tasks_file(*o.tasks_file);
    if (!file) return fail(std::errc::invalid_argument, "--tasks-file " + file.error().message);
    for (auto& t : *file) s.tasks.push_back(std::move(t));
  }
  for (const auto& text : o.tasks) {
    auto t = parse_task_spec(text);
    if (!t) return fail(std::errc::invalid_argument, "--task " + t.error().message);
    s.tasks.push_back(std::move(*t));
  }
  return {};
}

expected<std::string> read_token(const options& o, const config::env_lookup& env) {
  auto file = pick(o.token_file, {"VMTERM_TOKEN_FILE"}, env);
  if (!file) return env("VMTERM_TOKEN").value_or("");
  std::ifstream in(*file);
  std::string line;
  if (!in || !std::getline(in, line) || parse::trim(line).empty()) {
    return fail(std::errc::invalid_argument,
                "--token-file '" + *file +
                    "': cannot read a token from its first line; write "
                    "the token into the file");
  }
  return std::string(parse::trim(line));
}

}  // namespace

expected<milliseconds> parse_duration_flag(std::string_view flag, std::string_view text) {
  const std::string_view t = parse::trim(text);
  if (auto d = parse::duration(t, std::chrono::seconds(1)); d) {
    return std::chrono::duration_cast<milliseconds>(*d);
  }
  if (auto n = parse::number(t); n && *n >= 0 && *n < 1e9) {
    return milliseconds(std::llround(*n * 1000));
  }
  return fail(std::errc::invalid_argument, std::string(flag) + " '" + std::string(text) + "': '" +
                                               std::string(text) +
                                               "' is not a duration; give e.g. 30s, 500ms or 2m");
}

void add_flags(CLI::App& app, options& o) {
  add_common(app, o);
  add_run(app, o);
  auto* run = app.add_subcommand("run", "run the worker (the default)");
  run->fallthrough();
  run->callback([&o] { o.which = options::command::run; });
  auto* call = app.add_subcommand("call", "send a task; print its id, or its result with --wait");
  call->fallthrough();
  add_call(*call, o);
  call->callback([&o] { o.which = options::command::call; });
  auto* inspect =
      app.add_subcommand("inspect", "list live workers (from their leases) and queue depths");
  inspect->fallthrough();
  inspect->add_flag("--json", o.json, "print JSON for jq");
  inspect->callback([&o] { o.which = options::command::inspect; });
  app.require_subcommand(0, 1);
}

expected<run_settings> resolve_run(const options& o, const config::env_lookup& env) {
  run_settings s;
  auto common = resolve_common(o, env);
  if (!common) return tl::unexpected(common.error());
  s.common = std::move(*common);
  if (!o.queues.empty()) s.queues = o.queues;
  for (const auto& q : s.queues) {
    if (q.empty())
      return fail(std::errc::invalid_argument, "--queues: an empty queue name; name each queue");
  }
  auto c = whole<int>("--concurrency", o.concurrency, 4, 1, 10000);
  if (!c) return tl::unexpected(c.error());
  s.concurrency = *c;
  auto p = whole<int>("--prefetch", o.prefetch, 64, 0, 100000);
  if (!p) return tl::unexpected(p.error());
  s.prefetch = *p;
  s.hostname = o.hostname.value_or(default_hostname());
  auto vt = duration_or("--visibility-timeout", o.visibility_timeout, std::chrono::hours(1));
  if (!vt) return tl::unexpected(vt.error());
  s.visibility_timeout = std::chrono::duration_cast<std::chrono::seconds>(*vt);
  auto mt = whole<std::uint64_t>("--max-tasks", o.max_tasks, 0, 0, std::int64_t{1} << 50);
  if (!mt) return tl::unexpected(mt.error());
  s.max_tasks = *mt;
  if (o.max_memory) {
    auto m = parse_size("--max-memory", *o.max_memory);
    if (!m) return tl::unexpected(m.error());
    s.max_memory = *m;
  }
  auto st = duration_or("--shutdown-timeout", o.shutdown_timeout, std::chrono::seconds(30));
  if (!st) return tl::unexpected(st.error());
  s.shutdown_timeout = *st;
  s.early_ack = o.early_ack;
  s.task_events = o.task_events;
  s.metrics_listen = pick(o.metrics_listen, {"VMTERM_METRICS_LISTEN"}, env).value_or("");
  auto token = read_token(o, env);
  if (!token) return tl::unexpected(token.error());
  s.metrics_token = std::move(*token);
  if (auto r = resolve_tasks(o, s); !r) return tl::unexpected(r.error());
  s.health_url = pick(o.health_url, {"VMTERM_HEALTH_URL"}, env).value_or(default_health_url);
  auto tl = duration_or("--time-limit", o.time_limit, milliseconds(0));
  if (!tl) return tl::unexpected(tl.error());
  s.time_limit = *tl;
  auto stl = duration_or("--soft-time-limit", o.soft_time_limit, milliseconds(0));
  if (!stl) return tl::unexpected(stl.error());
  s.soft_time_limit = *stl;
  auto rd = duration_or("--retry-delay", o.retry_delay, std::chrono::seconds(180));
  if (!rd) return tl::unexpected(rd.error());
  s.retry_delay = *rd;
  auto mr = whole<int>("--max-retries", o.max_retries, 3, 0, 1000000);
  if (!mr) return tl::unexpected(mr.error());
  s.max_retries = *mr;
  return s;
}

expected<call_settings> resolve_call(const options& o, const config::env_lookup& env) {
  call_settings s;
  auto common = resolve_common(o, env);
  if (!common) return tl::unexpected(common.error());
  s.common = std::move(*common);
  s.task = o.task;
  if (o.args) s.args_json = *o.args;
  if (o.kwargs) s.kwargs_json = *o.kwargs;
  if (o.queue) s.queue = *o.queue;
  auto p = whole<int>("--priority", o.priority, 0, 0, 9);
  if (!p) return tl::unexpected(p.error());
  s.priority = *p;
  if (o.countdown) {
    auto d = parse_duration_flag("--countdown", *o.countdown);
    if (!d) return tl::unexpected(d.error());
    s.countdown = std::chrono::duration_cast<std::chrono::microseconds>(*d);
  }
  s.eta = o.eta;
  s.expires = o.expires;
  s.wait = o.wait;
  s.ignore_result = o.ignore_result;
  auto t = duration_or("--timeout", o.timeout, std::chrono::seconds(30));
  if (!t) return tl::unexpected(t.error());
  s.timeout = *t;
  s.bulk = o.bulk;
  return s;
}

expected<inspect_settings> resolve_inspect(const options& o, const config::env_lookup& env) {
  inspect_settings s;
  auto common = resolve_common(o, env);
  if (!common) return tl::unexpected(common.error());
  s.common = std::move(*common);
  if (!o.queues.empty()) s.queues = o.queues;
  s.json = o.json;
  return s;
}

}  // namespace vmterm::worker
