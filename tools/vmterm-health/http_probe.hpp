#pragma once
/// The --http probe: one GET (same-host redirects followed, at most 10), judged on status, body
/// text/regex, JSON values and latency. Its span is the CLIENT span whose traceparent the
/// server sees, so the server's span joins the probe's trace.

#include "health/report.hpp"
#include "http/client.hpp"
#include "http/url.hpp"
#include "options.hpp"
#include "probe.hpp"

namespace vmterm::health_tool {

/// The proxy a request to `u` goes through: --proxy; with --proxy-from-env, https_proxy /
/// HTTPS_PROXY (https://) or http_proxy (http://), then all_proxy / ALL_PROXY, unless no_proxy /
/// NO_PROXY names the host, a domain of it, or '*'; otherwise none (""). The environment is
/// ignored without --proxy-from-env, as Kubernetes probes and blackbox_exporter do.
[[nodiscard]] std::string proxy_for(const http::url& u, const options& opt);

/// The client settings of every request to `u` (probes and --ping-url): TLS verification, CA
/// file, client certificate, proxy, address family, user agent.
[[nodiscard]] http::client_options client_options_for(const http::url& u, const options& opt);

[[nodiscard]] health::check_result probe_http(const http::url& target, const options& opt,
                                              const probe_settings& settings);

}  // namespace vmterm::health_tool
