#include "source_select.hpp"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <system_error>
#include <utility>

#include "core/parse.hpp"
#include "http/client_tracing.hpp"
#include "http/url.hpp"
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

/// The Jaeger URL and where it came from (--jaeger, VMTERM_JAEGER_URL or the default), as
/// messages name it: "--jaeger 'URL'", "VMTERM_JAEGER_URL='URL'".
std::pair<std::string, std::string> jaeger_url(const options& opt) {
  if (!opt.jaeger) return {default_jaeger_url, std::string("'") + default_jaeger_url + "'"};
  if (opt.jaeger_from == "--jaeger") return {*opt.jaeger, "--jaeger '" + *opt.jaeger + "'"};
  return {*opt.jaeger, opt.jaeger_from + "='" + *opt.jaeger + "'"};
}

/// A URL that does not parse, in the user's words: "--jaeger 'not a url': not a URL; …".
error bad_url(const std::string& url, const std::string& named, const error& e) {
  const auto reason_at = e.message.find("': ");
  auto reason = reason_at == std::string::npos ? e.message : e.message.substr(reason_at + 3);
  if (url.find("://") == std::string::npos || reason.rfind("not an absolute URL", 0) == 0) {
    reason = "not a URL; give the query service's address, e.g. " + std::string(default_jaeger_url);
  }
  return error{e.code, named + ": " + reason};
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
    jaeger::file_source_options fo{
        .input = {.max_bytes = opt.max_input_bytes,
                  .raise_limit_hint = "give a smaller file, or raise --max-input"},
        .warn = [](const std::string& message) {
          std::cerr << "vmterm-trace: " << message << '\n';
        }};
    return std::unique_ptr<jaeger::source>(
        std::make_unique<jaeger::file_source>(*file, std::move(fo)));
  }
  auto timeout = parse::duration(opt.timeout, std::chrono::seconds(1));  // bare = seconds
  if (!timeout) {
    return fail(std::errc::invalid_argument,
                "--timeout '" + opt.timeout + "': " + timeout.error().message);
  }
  const auto [url, named] = jaeger_url(opt);
  if (auto parsed = http::parse_url(url); !parsed) {
    return tl::unexpected(bad_url(url, named, parsed.error()));
  }
  auto src = jaeger::jaeger_source::create(jaeger::jaeger_options{
      .url = url,
      .timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*timeout),
      .observer = http::make_client_tracing("vmterm-trace")});
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
