#pragma once
/// The one call a tool's main() makes to set tracing up from the environment:
///
///   auto tracing = vmterm::trace_otlp::install_from_env("vmterm-health");
///
/// OTEL_TRACES_EXPORTER picks where spans go: `otlp` (default; OTLP over HTTP/protobuf, HTTP/JSON
/// or gRPC, configured by
/// OTEL_EXPORTER_OTLP_*), `console` (people, on stderr), `file` (OTLP JSON lines appended to
/// VMTERM_TRACES_FILE, default ./var/traces.jsonl) or `none`. OTEL_SDK_DISABLED=true turns
/// tracing off. An unknown value warns and falls back to otlp. Everything else (resource,
/// sampler, batch processor, limits, TRACEPARENT) is trace::install's. Never throws.

#include <memory>
#include <string_view>

#include "core/config.hpp"
#include "trace/env.hpp"
#include "trace/exporter.hpp"
#include "trace/install.hpp"

namespace vmterm::trace_otlp {

/// Where the file exporter writes when VMTERM_TRACES_FILE is unset.
inline constexpr std::string_view default_traces_file = "./var/traces.jsonl";

/// The exporter OTEL_TRACES_EXPORTER selects; nullptr for `none`. Warnings (unknown exporter,
/// ignored OTEL_EXPORTER_OTLP_* values) go to `warn`.
[[nodiscard]] std::unique_ptr<trace::exporter> make_exporter_from_env(const config::env_lookup& env,
                                                                      const trace::warn_fn& warn);

/// Builds the exporter from the environment and installs the pipeline around it; the result
/// flushes and shuts tracing down when destroyed. Warnings go to stderr, prefixed with
/// `tool_name`.
[[nodiscard]] trace::installation install_from_env(
    std::string_view tool_name, const config::env_lookup& env = config::process_env());

/// The same with the warnings sent to `warn` (tests read them) and the span delivery chosen
/// (trace::span_delivery::at_exit for a short-lived tool: no worker thread).
[[nodiscard]] trace::installation install_from_env(
    std::string_view tool_name, const config::env_lookup& env, const trace::warn_fn& warn,
    trace::span_delivery delivery = trace::span_delivery::batch);

}  // namespace vmterm::trace_otlp
