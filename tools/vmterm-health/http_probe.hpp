#pragma once
/// The --http probe: one GET (same-host redirects followed, at most 10), judged on status, body
/// text/regex, JSON values and latency. Its span is the CLIENT span whose traceparent the
/// server sees, so the server's span joins the probe's trace.

#include "health/report.hpp"
#include "http/url.hpp"
#include "options.hpp"
#include "probe.hpp"

namespace vmterm::health_tool {

[[nodiscard]] health::check_result probe_http(const http::url& target, const options& opt,
                                              const probe_settings& settings);

}  // namespace vmterm::health_tool
