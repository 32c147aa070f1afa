#pragma once
/// What every probe shares: its deadline and thresholds, how a latency is judged against
/// -w/-c, the time perfdata, and the span attributes of a test case.

#include <chrono>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "health/range.hpp"
#include "health/report.hpp"
#include "trace/context.hpp"
#include "trace/span.hpp"

namespace vmterm::health_tool {

using clock = std::chrono::steady_clock;

struct probe_settings {
  clock::time_point deadline;           ///< the run's deadline; no probe outlives it
  std::chrono::milliseconds timeout{};  ///< for messages and the perfdata max
  std::optional<health::range> warning;
  std::optional<health::range> critical;
  health::state timeout_state = health::state::critical;
  std::string perf_prefix;  ///< "http", "http2", "redis" ...
  trace::context parent;    ///< the health.run span
  int attempt = 1;          ///< 1, then 2... with --retries
  /// -4/-6: AF_INET or AF_INET6 only; AF_UNSPEC (0) for either.
  int family = 0;
};

/// For -4/-6 with a host name: its first address of `s.family` as text ("::1"), so that a
/// client that resolves by itself (hiredis) connects there; `host` as it is for AF_UNSPEC or
/// an IP literal. A host without such an address is an error naming it and the flag.
[[nodiscard]] expected<std::string> address_for(const std::string& host, const probe_settings& s);

/// Time left before the deadline, at least 1 ms (0 would mean "no limit" to the clients).
[[nodiscard]] std::chrono::milliseconds remaining(const probe_settings& s);

/// "2.1 ms", "712 ms", "1.25 s".
[[nodiscard]] std::string format_latency(double seconds);

/// A limit for messages: "500 ms", "5 s", "1.5 s".
[[nodiscard]] std::string format_limit(std::chrono::milliseconds limit);

/// For a probe that passed: CRITICAL when the latency alerts on --critical, else WARNING on
/// --warning (the output says which range), and the time perfdata.
void judge_latency(health::check_result& r, const probe_settings& s);

/// A probe that passed in `seconds`: OK with "<text> in 2.1 ms<suffix>", then judge_latency.
void pass(health::check_result& r, const probe_settings& s, double seconds, const std::string& text,
          const std::string& suffix = "");

/// A failed probe: state (timeout_state for a timeout), output, error_type, and the time
/// perfdata (U unless r.latency_s was measured).
void fail(health::check_result& r, const probe_settings& s, std::string_view error_type,
          std::string output);

/// The time perfdata ('http_time'=0.0021s;warn;crit;0;timeout), U when not measured.
[[nodiscard]] health::perfdata time_perfdata(const probe_settings& s,
                                             std::optional<double> seconds);

/// test.case.name / test.case.result.status, error.type, the attempt number and the span
/// status from a result.
void record_result(trace::span& span, const health::check_result& r, const probe_settings& s);

}  // namespace vmterm::health_tool
