#include "run.hpp"

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

}  // namespace

int run(const options& opt, std::ostream& out, trace::installation& tracing) {
  const auto started = clock::now();
  probe_settings base;
  base.deadline = started + opt.timeout;
  base.timeout = opt.timeout;
  base.warning = opt.warning;
  base.critical = opt.critical;
  base.timeout_state = opt.timeout_state;

  auto root = trace::get_tracer("vmterm-health").start_span("health.run");
  root.set_attribute("test.suite.name", "vmterm-health");
  base.parent = trace::context{root.context(), trace::current_context().baggage};

  std::vector<std::function<health::check_result()>> probes;
  for (std::size_t i = 0; i < opt.http_urls.size(); ++i) {
    auto s = base;
    s.perf_prefix = numbered("http", i, opt.http_urls.size());
    probes.emplace_back([&opt, &u = opt.http_urls[i], s] { return probe_http(u, opt, s); });
  }
  for (std::size_t i = 0; i < opt.redis_urls.size(); ++i) {
    auto s = base;
    s.perf_prefix = numbered("redis", i, opt.redis_urls.size());
    probes.emplace_back([&u = opt.redis_urls[i], s] { return probe_redis(u, s); });
  }

  for (std::size_t i = 0; i < opt.ssh_targets.size(); ++i) {
    auto s = base;
    s.perf_prefix = numbered("ssh", i, opt.ssh_targets.size());
    probes.emplace_back(
        [&opt, &t = opt.ssh_targets[i], s] { return probe_ssh(t, opt.known_hosts_file, s); });
  }
  for (std::size_t i = 0; i < opt.task.size(); ++i) {
    auto s = base;
    s.perf_prefix = numbered("task", i, opt.task.size());
    probes.emplace_back([&opt, &name = opt.task[i], s] { return probe_task(name, opt, s); });
  }

  health::report report;
  report.checks.resize(probes.size());
  if (probes.size() == 1) {
    report.checks[0] = probes[0]();
  } else {
    // Each probe bounds itself by the deadline, so joining cannot outlast it.
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < probes.size(); ++i) {
      threads.emplace_back([&report, &probes, i] {
        try {
          report.checks[i] = probes[i]();
        } catch (const std::exception& e) {
          report.checks[i].output = std::string("internal error: ") + e.what();
        }
      });
    }
    for (auto& t : threads) t.join();
  }
  if (root.context().trace.valid()) report.trace_id = root.context().trace.hex();

  const auto state = health::overall(report);
  root.set_attribute("test.suite.run.status", state == health::state::ok ? "success" : "failure");
  root.set_attribute("vmterm.health.state", health::state_name(state));
  if (state != health::state::ok)
    root.set_status(trace::status_code::error, health::summary(report));
  root.end();

  if (opt.json) {
    out << health::render_json(report);
  } else if (opt.nagios) {
    out << health::render_nagios(report, opt.verbose);
  } else {
    out << health::render_text(report, opt.verbose, color_wanted());
  }
  out.flush();

  // A down collector must not hold the exit: at most the time left, never over 500 ms.
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(base.deadline - clock::now());
  tracing.shutdown_within(std::clamp(left, 1ms, std::chrono::milliseconds(max_flush)));
  return static_cast<int>(state);
}

}  // namespace vmterm::health_tool
