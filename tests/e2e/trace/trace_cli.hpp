#pragma once
// Helpers shared by the vmterm-trace end-to-end tests.

#include <filesystem>
#include <string>
#include <vector>

#include "process.hpp"
#include "temp_dir.hpp"

namespace vmterm::test::trace_cli {

inline std::filesystem::path fixture(const std::string& name) {
  return std::filesystem::path(VMTERM_SHARED_DIR) / "fixtures" / name;
}

/// The environment every run starts from: no Jaeger URL, no colour hints, no tracing of its
/// own, and a working directory without ./var/traces.jsonl.
inline run_options clean(run_options opt = {}) {
  for (const char* name :
       {"VMTERM_JAEGER_URL", "VMTERM_TRACES_FILE", "NO_COLOR", "COLUMNS", "OTEL_TRACES_EXPORTER",
        "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "TRACEPARENT"}) {
    if (!opt.env.contains(name)) opt.env[name] = std::nullopt;
  }
  if (opt.cwd.empty()) opt.cwd = std::filesystem::temp_directory_path();
  return opt;
}

inline run_result vmterm_trace(const std::vector<std::string>& args, run_options opt = {}) {
  return run_tool("vmterm-trace", args, clean(std::move(opt)));
}

}  // namespace vmterm::test::trace_cli
