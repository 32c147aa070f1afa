#pragma once
/// What the server's request pipeline traces and what it calls slow: the paths that make no
/// SERVER span (Prometheus scrapes, health probes; the request is still counted in the
/// metrics, and one carrying a sampled traceparent is traced anyway: someone asked for that
/// trace), and the duration above which a finished request is also logged as a warning and
/// counted. Declared once here for every tool that serves HTTP (--trace-exclude,
/// --slow-request).

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace vmterm::config {
class flag_set;
}

namespace vmterm::http {

/// The paths excluded by default: a scrape or a probe is noise, not a trace. /health-check/ is
/// not one of them: the periodic job's trace runs through it.
[[nodiscard]] std::vector<std::string> default_trace_exclude();

struct request_tracing {
  /// Paths whose requests make no span: an entry matches the request's path exactly, or, when
  /// it ends with '*', every path it is a prefix of ("/static/*").
  std::vector<std::string> exclude{default_trace_exclude()};
  /// A request that took longer is logged as a warning ("slow http request", with its trace
  /// id, route and duration) and counted in http_server_slow_requests_total. 0: off.
  std::chrono::milliseconds slow{0};

  /// Whether `path` (no query) is one of `exclude`.
  [[nodiscard]] bool excluded(std::string_view path) const noexcept;
};

/// Declares --trace-exclude (env VMTERM_TRACE_EXCLUDE, OTEL_INSTRUMENTATION_HTTP_EXCLUDED_URLS;
/// comma-separated paths) and --slow-request (env VMTERM_SLOW_REQUEST; a duration, 0: off)
/// in `flags`, written to `target` by flags.resolve(). Errors: "--trace-exclude 'metrics':
/// must be a path starting with '/'".
void add_request_tracing_flags(config::flag_set& flags, request_tracing& target);

}  // namespace vmterm::http
