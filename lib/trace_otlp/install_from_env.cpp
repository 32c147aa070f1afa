#include "trace_otlp/install_from_env.hpp"

#include "core/parse.hpp"
#include "trace/console_exporter.hpp"
#include "trace_otlp/file_exporter.hpp"
#include "trace_otlp/otlp_http_exporter.hpp"
#include "trace_otlp/otlp_http_options.hpp"

namespace vmterm::trace_otlp {
namespace {

std::unique_ptr<trace::exporter> make_otlp(const config::env_lookup& env,
                                           const trace::warn_fn& warn) {
  auto from_env = otlp_http_options_from_env(env);
  if (warn) {
    for (const auto& w : from_env.warnings) warn(w);
  }
  auto exporter = std::make_unique<otlp_http_exporter>(std::move(from_env.options));
  if (warn && !exporter->setup_error().empty()) warn(exporter->setup_error());
  return exporter;
}

}  // namespace

std::unique_ptr<trace::exporter> make_exporter_from_env(const config::env_lookup& env,
                                                        const trace::warn_fn& warn) {
  const auto value = trace::env_value(env, "OTEL_TRACES_EXPORTER");
  if (!value) return make_otlp(env, warn);
  std::string name = trace::ascii_lower(parse::trim(*value));
  if (const auto comma = name.find(','); comma != std::string::npos) {
    name = std::string(parse::trim(std::string_view(name).substr(0, comma)));
    if (warn) {
      warn("OTEL_TRACES_EXPORTER='" + *value + "': only one exporter is supported; using '" + name +
           "'");
    }
  }
  if (name == "otlp") return make_otlp(env, warn);
  if (name == "none") return nullptr;
  if (name == "console" || name == "logging") return std::make_unique<trace::console_exporter>();
  if (name == "file") {
    const auto path = trace::env_value(env, "VMTERM_TRACES_FILE");
    return std::make_unique<file_exporter>(path ? *path : std::string(default_traces_file));
  }
  if (warn) {
    warn("OTEL_TRACES_EXPORTER='" + *value +
         "': unknown exporter; use otlp, console, file or none; using otlp");
  }
  return make_otlp(env, warn);
}

trace::installation install_from_env(std::string_view tool_name, const config::env_lookup& env) {
  return install_from_env(tool_name, env, trace::stderr_warn(std::string(tool_name)));
}

trace::installation install_from_env(std::string_view tool_name, const config::env_lookup& env,
                                     const trace::warn_fn& warn, trace::span_delivery delivery) {
  try {
    // Checked here too so that a disabled SDK builds no exporter and prints no exporter warnings.
    if (trace::env_bool(env, "OTEL_SDK_DISABLED", {})) return {};
    return trace::install(tool_name, make_exporter_from_env(env, warn), env, warn, delivery);
  } catch (...) {
    if (warn) warn("tracing setup failed; tracing is off");
    return {};
  }
}

}  // namespace vmterm::trace_otlp
