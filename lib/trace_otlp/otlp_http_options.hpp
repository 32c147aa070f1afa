#pragma once
/// Settings of the OTLP/HTTP exporter and how they are read from the OTEL_EXPORTER_OTLP_*
/// environment variables (OpenTelemetry's rules: empty is unset, the TRACES_ variable wins over
/// the generic one, bad values warn and fall back). Pure.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
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

/// OTEL_EXPORTER_OTLP_PROTOCOL: JSON or protobuf over HTTP, or protobuf over gRPC.
enum class otlp_protocol : std::uint8_t { http_json, http_protobuf, grpc };

/// "http/json", "http/protobuf", "grpc".
[[nodiscard]] std::string_view to_string(otlp_protocol p) noexcept;

/// Where spans go by default over OTLP/gRPC (the spec's endpoint; no path).
inline constexpr const char* default_grpc_url = "http://localhost:4317";

struct otlp_http_options {
  /// The full URL the spans are POSTed to; for gRPC, scheme://host:port of the collector
  /// (https: TLS with the system's roots), its path unused.
  std::string url = "http://localhost:4318/v1/traces";
  std::vector<std::pair<std::string, std::string>> headers{};
  /// Bound on one export, retries and waits included. Zero: no bound.
  std::chrono::milliseconds timeout{10000};
  bool gzip = false;
  /// The spec's default, http/protobuf.
  otlp_protocol protocol = otlp_protocol::http_protobuf;
  retry_policy retry{};
};

/// The options and the one-line warnings about ignored values (never containing header values,
/// which may hold credentials). The caller prints the warnings.
struct options_from_env_result {
  otlp_http_options options;
  std::vector<std::string> warnings;
};

/// Reads OTEL_EXPORTER_OTLP_{TRACES_,}{ENDPOINT,HEADERS,TIMEOUT,COMPRESSION,PROTOCOL}.
/// PROTOCOL http/json, http/protobuf or grpc (anything else: a warning and the default).
/// Over HTTP, ENDPOINT is a base URL to which "/v1/traces" is appended (one '/' between) and
/// TRACES_ENDPOINT is used as is; over gRPC both are used as is, and the default is
/// http://localhost:4317.
[[nodiscard]] options_from_env_result otlp_http_options_from_env(const config::env_lookup& env);

/// Parses a W3C-baggage-style "k1=v1,k2=v2" header list, percent-decoding keys and values.
/// Entries that are not key=value, or hold a bad %-escape, an invalid header name or a line
/// break, are skipped with a warning naming `variable` and the entry's position.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> parse_header_list(
    std::string_view text, std::string_view variable, std::vector<std::string>& warnings);

}  // namespace vmterm::trace_otlp
