#pragma once
/// Which source a run reads: --file; else --jaeger / VMTERM_JAEGER_URL; else the local
/// stack's trace file (VMTERM_TRACES_FILE, default ./var/traces.jsonl) when it exists; else
/// Jaeger at its default URL. Also the environment the program's own tracing sees: an
/// exporter writing into the very file being read is turned off.

#include <memory>
#include <optional>
#include <string>

#include "core/config.hpp"
#include "core/error.hpp"
#include "jaeger/source.hpp"
#include "options.hpp"

namespace vmterm::trace_cli {

/// The file to read, if the run reads one ("-" for stdin).
[[nodiscard]] std::optional<std::string> chosen_file(const options& opt,
                                                     const config::env_lookup& env);

/// Errors: "parse URL '<url>': …".
[[nodiscard]] expected<std::unique_ptr<jaeger::source>> make_source(const options& opt,
                                                                    const config::env_lookup& env);

/// `env`, except OTEL_TRACES_EXPORTER reads `none` when the file exporter would append to
/// the file this run reads, and when no OTEL_TRACES_EXPORTER or OTLP endpoint is set at all (a
/// command-line viewer traces itself only when asked; no export errors on a bare machine).
[[nodiscard]] config::env_lookup tracing_env(const options& opt, const config::env_lookup& env);

}  // namespace vmterm::trace_cli
