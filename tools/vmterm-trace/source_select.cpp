#include "source_select.hpp"

#include <chrono>
#include <filesystem>
#include <system_error>

#include "core/parse.hpp"
#include "jaeger/client_tracing.hpp"
#include "jaeger/file_source.hpp"
#include "jaeger/jaeger_client.hpp"
#include "trace_otlp/install_from_env.hpp"

namespace vmterm::trace_cli {
namespace {

std::string traces_file(const config::env_lookup& env) {
  auto path = env("VMTERM_TRACES_FILE");
  return path && !path->empty() ? *path : std::string(trace_otlp::default_traces_file);
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (std::filesystem::equivalent(a, b, ec)) return true;
  return std::filesystem::weakly_canonical(a, ec) == std::filesystem::weakly_canonical(b, ec);
}

}  // namespace

std::optional<std::string> chosen_file(const options& opt, const config::env_lookup& env) {
  if (opt.file) return opt.file;
  if (opt.jaeger) return std::nullopt;
  const auto local = traces_file(env);
  std::error_code ec;
  if (std::filesystem::exists(local, ec)) return local;
  return std::nullopt;
}

expected<std::unique_ptr<jaeger::source>> make_source(const options& opt,
                                                      const config::env_lookup& env) {
  if (auto file = chosen_file(opt, env)) {
    return std::unique_ptr<jaeger::source>(std::make_unique<jaeger::file_source>(*file));
  }
  auto timeout = parse::duration(opt.timeout, std::chrono::seconds(1));  // bare = seconds
  if (!timeout) {
    return fail(std::errc::invalid_argument,
                "--timeout '" + opt.timeout + "': " + timeout.error().message);
  }
  auto src = jaeger::jaeger_source::create(jaeger::jaeger_options{
      .url = opt.jaeger.value_or(default_jaeger_url),
      .timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*timeout),
      .observer = jaeger::make_client_tracing("vmterm-trace")});
  if (!src) return tl::unexpected(src.error());
  return std::unique_ptr<jaeger::source>(std::move(*src));
}

config::env_lookup tracing_env(const options& opt, const config::env_lookup& env) {
  const auto exporter = env("OTEL_TRACES_EXPORTER");
  const bool asked =
      exporter || env("OTEL_EXPORTER_OTLP_ENDPOINT") || env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  const auto file = chosen_file(opt, env);
  const bool into_input =
      exporter && *exporter == "file" && file && *file != "-" && same_file(*file, traces_file(env));
  if (asked && !into_input) return env;
  return [env](std::string_view name) -> std::optional<std::string> {
    if (name == "OTEL_TRACES_EXPORTER") return std::string("none");
    return env(name);
  };
}

}  // namespace vmterm::trace_cli
