#include "http/request_tracing.hpp"

#include "core/flags.hpp"

namespace vmterm::http {

std::vector<std::string> default_trace_exclude() {
  return {"/healthz", "/metrics", "/favicon.ico"};
}

bool request_tracing::excluded(std::string_view path) const noexcept {
  for (const auto& e : exclude) {
    if (e.ends_with('*')) {
      if (path.starts_with(std::string_view(e).substr(0, e.size() - 1))) return true;
    } else if (path == e) {
      return true;
    }
  }
  return false;
}

void add_request_tracing_flags(config::flag_set& flags, request_tracing& target) {
  using namespace std::chrono_literals;
  flags.add(target.exclude,
            config::list_flag<std::string>{
                .name = "--trace-exclude",
                .env = {"VMTERM_TRACE_EXCLUDE", "OTEL_INSTRUMENTATION_HTTP_EXCLUDED_URLS"},
                .value_name = "PATH",
                .help = "requests to these paths make no span (still counted in the metrics; "
                        "a sampled traceparent is traced anyway); exact, or a prefix ending "
                        "with *; repeatable or comma-separated, '' for none",
                .fallback = default_trace_exclude(),
                .check = [](const std::string& v) -> std::optional<std::string> {
                  if (!v.starts_with('/')) return "must be a path starting with '/'";
                  return std::nullopt;
                }});
  flags.add(target.slow, config::flag<std::chrono::milliseconds>{
                             .name = "--slow-request",
                             .env = {"VMTERM_SLOW_REQUEST"},
                             .value_name = "DURATION",
                             .help = "log a request that takes longer as a warning with its "
                                     "trace id, route and duration, and count it",
                             .fallback = 0ms,
                             .fallback_text = "0: off"});
}

}  // namespace vmterm::http
