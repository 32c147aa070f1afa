// --trace-exclude and --slow-request: the paths that make no span, and the flags' defaults,
// environment and exact errors.
#include "http/request_tracing.hpp"

#include <catch2/catch.hpp>
#include <map>

#include "core/flags.hpp"

using namespace vmterm;
using namespace std::chrono_literals;

namespace {

struct parsed {
  http::request_tracing tracing;
  expected<void> resolved;
};

parsed parse_flags(std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  parsed out;
  CLI::App app;
  config::flag_set flags(app, [env](std::string_view name) -> std::optional<std::string> {
    const auto it = env.find(std::string(name));
    if (it == env.end()) return std::nullopt;
    return it->second;
  });
  http::add_request_tracing_flags(flags, out.tracing);
  std::vector<const char*> argv{"t"};
  for (const auto& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), argv.data());
  out.resolved = flags.resolve();
  return out;
}

}  // namespace

TEST_CASE("by default scrapes and probes are excluded, /health-check/ is not", "[http][trace]") {
  const http::request_tracing t;
  CHECK(t.excluded("/metrics"));
  CHECK(t.excluded("/healthz"));
  CHECK(t.excluded("/favicon.ico"));
  CHECK_FALSE(t.excluded("/health-check/"));
  CHECK_FALSE(t.excluded("/metrics/x"));  // exact, not a prefix
  CHECK_FALSE(t.excluded("/"));
  CHECK(t.slow == 0ms);
}

TEST_CASE("an entry ending with * excludes every path below it", "[http][trace]") {
  http::request_tracing t;
  t.exclude = {"/static/*"};
  CHECK(t.excluded("/static/app.js"));
  CHECK(t.excluded("/static/"));
  CHECK_FALSE(t.excluded("/stat"));
  CHECK_FALSE(t.excluded("/metrics"));
}

TEST_CASE("the flags: command line, then VMTERM_*, then OTEL_INSTRUMENTATION_HTTP_EXCLUDED_URLS",
          "[http][trace]") {
  auto d = parse_flags({});
  REQUIRE(d.resolved);
  CHECK(d.tracing.exclude == http::default_trace_exclude());
  auto f =
      parse_flags({"--trace-exclude", "/a,/b", "--trace-exclude", "/c", "--slow-request", "250ms"},
                  {{"VMTERM_TRACE_EXCLUDE", "/x"}});
  REQUIRE(f.resolved);
  CHECK(f.tracing.exclude == std::vector<std::string>{"/a", "/b", "/c"});
  CHECK(f.tracing.slow == 250ms);
  auto e = parse_flags(
      {}, {{"OTEL_INSTRUMENTATION_HTTP_EXCLUDED_URLS", "/ping"}, {"VMTERM_SLOW_REQUEST", "2"}});
  REQUIRE(e.resolved);
  CHECK(e.tracing.exclude == std::vector<std::string>{"/ping"});
  CHECK(e.tracing.slow == 2s);  // a bare number is seconds in VMTERM_* variables
  auto none = parse_flags({"--trace-exclude", ""});
  REQUIRE(none.resolved);
  CHECK(none.tracing.exclude.empty());
}

TEST_CASE("a --trace-exclude entry that is no path is refused, naming it", "[http][trace]") {
  auto f = parse_flags({"--trace-exclude", "/ok,metrics"});
  REQUIRE_FALSE(f.resolved);
  CHECK(f.resolved.error().message ==
        "--trace-exclude 'metrics': must be a path starting with '/'");
  auto e = parse_flags({}, {{"VMTERM_TRACE_EXCLUDE", "healthz"}});
  REQUIRE_FALSE(e.resolved);
  CHECK(e.resolved.error().message ==
        "environment variable VMTERM_TRACE_EXCLUDE='healthz': must be a path starting with '/'; "
        "fix or unset VMTERM_TRACE_EXCLUDE");
}
