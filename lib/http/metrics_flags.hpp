#pragma once
/// --metrics-listen and --token-file, declared once for the tools that serve /metrics beside
/// their main work (vmterm-worker, vmterm-beat): the same names, environment variables, help
/// and defaults in both, and the same token rule (the file's first line, else VMTERM_TOKEN).
/// The errors of metrics_endpoint::start name these flags through metrics_listen_flag and
/// metrics_token_advice.

#include <optional>
#include <string>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/flags.hpp"
#include "http/metrics_endpoint.hpp"

namespace vmterm::http {

inline constexpr const char* metrics_listen_flag = "--metrics-listen";
inline constexpr const char* metrics_token_advice = "give --token-file or VMTERM_TOKEN";

/// Adds `--metrics-listen HOST:PORT` (env VMTERM_METRICS_LISTEN; "" = no endpoint) and
/// `--token-file FILE` (env VMTERM_TOKEN_FILE) to `f`.
inline void add_metrics_flags(config::flag_set& f, std::string& listen,
                              std::optional<std::string>& token_file) {
  f.add(listen, config::flag<std::string>{.name = metrics_listen_flag,
                                          .env = {"VMTERM_METRICS_LISTEN"},
                                          .value_name = "HOST:PORT",
                                          .help = "serve Prometheus metrics at "
                                                  "http://HOST:PORT/metrics",
                                          .default_note = ": none, no endpoint"});
  f.add(token_file,
        config::flag<std::optional<std::string>>{
            .name = "--token-file",
            .env = {"VMTERM_TOKEN_FILE"},
            .value_name = "FILE",
            .help = "the bearer token /metrics requires is the first line of this file (or the "
                    "token itself in VMTERM_TOKEN)",
            .default_note = ": none, metrics only on a loopback address"});
}

/// The token /metrics requires: the first line of `token_file` when given (errors name
/// --token-file and the file), else VMTERM_TOKEN, else "" (none).
[[nodiscard]] inline expected<std::string> metrics_token(
    const std::optional<std::string>& token_file,
    const config::env_lookup& env = config::process_env()) {
  if (token_file) return read_token_file(*token_file, "--token-file");
  return env("VMTERM_TOKEN").value_or("");
}

}  // namespace vmterm::http
