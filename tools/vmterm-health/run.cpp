#include "run.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <ostream>
#include <thread>

#include "http_probe.hpp"
#include "redis_probe.hpp"
#include "ssh_probe.hpp"
#include "task_probe.hpp"
#include "trace/provider.hpp"

namespace vmterm::health_tool {

namespace {

using namespace std::chrono_literals;
constexpr auto max_flush = 500ms;

bool color_wanted() {
  const char* no_color = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  return ::isatty(STDOUT_FILENO) == 1 && (no_color == nullptr || *no_color == '\0') &&
         (term == nullptr || std::string_view(term) != "dumb");
}

std::string numbered(const std::string& kind, std::size_t index, std::size_t count) {
  return count > 1 ? kind + std::to_string(index + 1) : kind;
}

/// Runs a probe, and again after --retry-delay while it fails (WARNING or CRITICAL) and
/// --retries and the deadline allow; the last attempt's result, earlier ones in its detail.
health::check_result with_retries(
    const std::function<health::check_result(const probe_settings&)>& probe, probe_settings s,
    const options& opt) {
  std::vector<std::string> earlier;
  for (;;) {
    auto r = probe(s);
    r.attempts = s.attempt;
    const bool failed = r.status == health::state::warning || r.status == health::state::critical;
    const bool time_left = clock::now() + opt.retry_delay < s.deadline;
    if (!failed || s.attempt > opt.retries || !time_left) {
      if (failed && s.attempt <= opt.retries) earlier.push_back("no time left for another attempt");
      if (s.attempt > 1) {
        r.output += " (attempt " + std::to_string(s.attempt) + " of " +
                    std::to_string(opt.retries + 1) + ")";
      }
      r.detail.insert(r.detail.begin(), earlier.begin(), earlier.end());
      return r;
    }
    earlier.push_back("attempt " + std::to_string(s.attempt) + ": " +
                      std::string(health::state_name(r.status)) + " - " + r.output);
    std::this_thread::sleep_for(opt.retry_delay);
    ++s.attempt;
  }
}

/// --ping-url: GET URL/start, or POST `body` to URL/<exit code>. A failure is a note on stderr;
/// it never changes the state, the output or the exit code.
void ping(const options& opt, const std::string& suffix, const std::string& body,
          std::chrono::milliseconds timeout, std::ostream& err) {
  http::url u = *opt.ping;
  while (u.path.size() > 1 && u.path.ends_with('/')) u.path.pop_back();
  u.path += (u.path.ends_with('/') ? "" : "/") + suffix;
  auto co = client_options_for(u, opt);
  co.timeout = timeout;
  http::client client(co);
  http::request req;
  req.url = u.str();
  if (suffix != "start") {
    req.method = "POST";
    req.body = body;
    req.headers.set("Content-Type", "text/plain; charset=utf-8");
  }
  auto res = client.send(req);
  if (!res) {
    err << "vmterm-health: --ping-url: " << res.error().message << '\n';
  } else if (res->status < 200 || res->status > 299) {
    err << "vmterm-health: --ping-url: " << req.method << " '" << req.url << "': status "
        << res->status << '\n';
  }
}

}  // namespace

int run(const options& opt, std::ostream& out, std::ostream& err, trace::installation& tracing) {
  const auto started = clock::now();
  if (opt.ping)
    ping(opt, "start", "", std::min(opt.timeout / 5, std::chrono::milliseconds(1000)), err);
  probe_settings base;
  base.deadline = started + opt.timeout;
  base.timeout = opt.timeout;
  base.warning = opt.warning;
  base.critical = opt.critical;
  base.timeout_state = opt.timeout_state;
  base.family = opt.ipv4 ? AF_INET : opt.ipv6 ? AF_INET6 : AF_UNSPEC;

  auto root = trace::get_tracer("vmterm-health").start_span("health.run");
  root.set_attribute("test.suite.name", "vmterm-health");
  base.parent = trace::context{root.context(), trace::current_context().baggage};

  using probe_fn = std::function<health::check_result(const probe_settings&)>;
  std::vector<std::pair<probe_fn, probe_settings>> probes;
  for (std::size_t i = 0; i < opt.http_urls.size(); ++i) {
    auto s = base;
    s.perf_prefix = numbered("http", i, opt.http_urls.size());
    probes.emplace_back(
        [&opt, &u = opt.http_urls[i]](const probe_settings& ps) { return probe_http(u, opt, ps); },
        s);
  }
  for (std::size_t i = 0; i < opt.redis_urls.size(); ++i) {
    auto s = base;
    s.perf_prefix = numbered("redis", i, opt.redis_urls.size());
    probes.emplace_back(
        [&u = opt.redis_urls[i]](const probe_settings& ps) { return probe_redis(u, ps); }, s);
  }
  for (std::size_t i = 0; i < opt.ssh_targets.size(); ++i) {
    auto s = base;
    s.perf_prefix = numbered("ssh", i, opt.ssh_targets.size());
    probes.emplace_back(
        [&opt, &t = opt.ssh_targets[i]](const probe_settings& ps) {
          return probe_ssh(t, opt.known_hosts_file, ps);
        },
        s);
  }
  for (std::size_t i = 0; i < opt.task.size(); ++i) {
    auto s = base;
    s.perf_prefix = numbered("task", i, opt.task.size());
    probes.emplace_back(
        [&opt, &name = opt.task[i]](const probe_settings& ps) { return probe_task(name, opt, ps); },
        s);
  }

  health::report report;
  report.checks.resize(probes.size());
  auto run_one = [&](std::size_t i) {
    try {
      report.checks[i] = with_retries(probes[i].first, probes[i].second, opt);
    } catch (const std::exception& e) {
      report.checks[i].output = std::string("internal error: ") + e.what();
    }
  };
  {
    // The first probe on this thread, the others beside it on threads of their own (one thread
    // fewer to start). Each probe bounds itself by the deadline, so joining cannot outlast it.
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < probes.size(); ++i) threads.emplace_back(run_one, i);
    if (!probes.empty()) run_one(0);
    for (auto& t : threads) t.join();
  }
  if (root.context().trace.valid()) report.trace_id = root.context().trace.hex();

  const auto state = health::overall(report);
  root.set_attribute("test.suite.run.status", state == health::state::ok ? "success" : "failure");
  root.set_attribute("vmterm.health.state", health::state_name(state));
  if (state != health::state::ok)
    root.set_status(trace::status_code::error, health::summary(report));
  root.end();

  const std::string text = opt.json     ? health::render_json(report)
                           : opt.nagios ? health::render_nagios(report, opt.verbose)
                                        : health::render_text(report, opt.verbose, color_wanted());
  out << text;
  out.flush();
  if (opt.ping) {
    // After the run: at least 100 ms even when the probes used all of --timeout, at most 2 s.
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(base.deadline - clock::now());
    ping(opt, std::to_string(static_cast<int>(state)), text, std::clamp(left, 100ms, 2000ms), err);
  }

  // A down collector must not hold the exit: at most the time left, never over 500 ms.
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(base.deadline - clock::now());
  tracing.shutdown_within(std::clamp(left, 1ms, std::chrono::milliseconds(max_flush)));
  return static_cast<int>(state);
}

}  // namespace vmterm::health_tool
