#pragma once
/// Settings of the OTLP/HTTP exporter and how they are read from the OTEL_EXPORTER_OTLP_*
/// environment variables (OpenTelemetry's rules: empty is unset, the TRACES_ variable wins over
/// the generic one, bad values warn and fall back). Pure.

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/config.hpp"

namespace vmterm::trace_otlp {

/// Retries of one export: only 429, 502, 503, 504 and connection failures are retried.
/// Defaults follow opentelemetry-cpp: 1 s, ×1.5 per attempt, at most 5 s, 5 attempts,
/// each delay multiplied by a random factor in [1 − jitter, 1 + jitter].
struct retry_policy {
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{1000};
  double multiplier = 1.5;
  std::chrono::milliseconds max_backoff{5000};
  double jitter = 0.2;
};

/// The body's encoding (OTEL_EXPORTER_OTLP_PROTOCOL): JSON or protobuf over HTTP.
enum class otlp_protocol : std::uint8_t { http_json, http_protobuf };

struct otlp_http_options {
  /// The full URL the spans are POSTed to.
  std::string url = "http://localhost:4318/v1/traces";
  std::vector<std::pair<std::string, std::string>> headers{};
  /// Bound on one export, retries and waits included. Zero: no bound.
  std::chrono::milliseconds timeout{10000};
  bool gzip = false;
  /// http/json today; the spec's default http/protobuf is spoken too, on request.
  otlp_protocol protocol = otlp_protocol::http_json;
  retry_policy retry{};
};

/// The options and the one-line warnings about ignored values (never containing header values,
/// which may hold credentials). The caller prints the warnings.
struct options_from_env_result {
  otlp_http_options options;
  std::vector<std::string> warnings;
};

/// Reads OTEL_EXPORTER_OTLP_{TRACES_,}{ENDPOINT,HEADERS,TIMEOUT,COMPRESSION,PROTOCOL}.
/// ENDPOINT is a base URL to which "/v1/traces" is appended (one '/' between);
/// TRACES_ENDPOINT is used as is. PROTOCOL http/json or http/protobuf; grpc (not spoken yet)
/// or anything else gets a warning and http/json.
[[nodiscard]] options_from_env_result otlp_http_options_from_env(const config::env_lookup& env);

/// Parses a W3C-baggage-style "k1=v1,k2=v2" header list, percent-decoding keys and values.
/// Entries that are not key=value, or hold a bad %-escape, an invalid header name or a line
/// break, are skipped with a warning naming `variable` and the entry's position.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> parse_header_list(
    std::string_view text, std::string_view variable, std::vector<std::string>& warnings);

}  // namespace vmterm::trace_otlp
