#pragma once
/// The result of one vmterm-health run and its three renderings: text for people, `--nagios`
/// (status line first, perfdata, one line per probe) and `--json` (one document for jq). Pure:
/// the probes fill check_result, these functions only format.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "health/perfdata.hpp"
#include "health/state.hpp"

namespace vmterm::health {

/// The fixed error_type vocabulary of --json.
namespace error_types {
inline constexpr std::string_view dns = "dns", refused = "refused", timeout = "timeout",
                                  tls = "tls", cert_expiry = "cert_expiry",
                                  http_status = "http_status", body_mismatch = "body_mismatch",
                                  protocol = "protocol", auth = "auth",
                                  hostkey_unknown = "hostkey_unknown",
                                  hostkey_mismatch = "hostkey_mismatch",
                                  task_timeout = "task_timeout", task_failed = "task_failed";
}

struct check_result {
  std::string kind;                 ///< "http", "redis", "ssh", "task"
  std::string target;               ///< "127.0.0.1:6379", "127.0.0.1:8080/health-check/"
  state status = state::unknown;    ///< this probe's state
  std::string output;               ///< "connection refused", "200 in 2.1 ms"
  std::optional<double> latency_s;  ///< nullopt when nothing was measured
  std::string error_type;           ///< one of error_types, "" when the probe passed
  std::vector<perfdata> perf;
  std::vector<std::string> detail;  ///< -v lines (redirects, ROLE, addresses, attempts)
  int attempts = 1;                 ///< with --retries: how many tries this result took
};

struct report {
  std::vector<check_result> checks;
  std::string trace_id;  ///< "" when tracing is off
};

/// Every check folded worst-wins (OK < UNKNOWN < WARNING < CRITICAL); UNKNOWN with no checks.
[[nodiscard]] state overall(const report& r);
/// The status line's text: the first CRITICAL check ("redis 127.0.0.1:6379: connection
/// refused"), else the first UNKNOWN, else the first WARNING; "2 of 2 checks ok" when all pass.
[[nodiscard]] std::string summary(const report& r);

/// `HEALTH CRITICAL - <summary> | <perfdata>` then `<kind> <STATE> - <target>: <output>` per
/// check; with verbosity ≥ 1 each check's detail lines follow it, indented. Texts never contain
/// '|' (replaced by ' ') or line breaks; each line's text is cut to 120 characters so four
/// probes stay under NRPE's 1,024 bytes.
[[nodiscard]] std::string render_nagios(const report& r, int verbosity);
/// One line per check (`OK       http 127.0.0.1:8080/: 200 in 2.1 ms`), then
/// `HEALTH <STATE> - <summary>`; the state words coloured when `color`.
[[nodiscard]] std::string render_text(const report& r, int verbosity, bool color);
/// {"state","exit_code","summary","trace_id","checks":[{name,target,state,output,latency_s,
/// error_type,attempts,perfdata:[{label,value,uom,warn,crit,min,max}],detail}]} and a newline.
[[nodiscard]] std::string render_json(const report& r);

/// The line printed for a usage error: "UNKNOWN - <reason>".
[[nodiscard]] std::string usage_line(std::string_view reason);

}  // namespace vmterm::health
