#pragma once
/// Where vmterm-trace reads traces from: a Jaeger query service (api_v3, else v1) or a file
/// (OTLP JSON, JSON lines, Jaeger v1 JSON). One small interface so the commands do not care,
/// and so tests can hand the commands a fake.
///
/// Threading: a source is used by one thread at a time. Errors follow the project's form
/// ("GET 'http://…/api/v3/services': connection refused") without the tool prefix.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "trace/span_data.hpp"

namespace vmterm::jaeger {

/// `search`'s criteria. Times are ns since the epoch; end == 0 means "now" was not resolved.
struct search_query {
  std::string service{};
  std::optional<std::string> operation{};
  std::vector<std::pair<std::string, std::string>> tags{};  ///< span or resource attributes
  std::uint64_t min_duration_ns = 0;
  std::optional<std::uint64_t> max_duration_ns{};
  std::uint64_t start_unix_nano = 0;
  std::uint64_t end_unix_nano = 0;
  std::size_t limit = 20;
  bool errors_only = false;  ///< only traces with at least one error span
};

/// One line of `search`: a trace without its spans, from a built tree (summarize) or straight
/// from Jaeger's api_v3 `/api/v3/trace-summaries`.
struct trace_summary {
  trace::trace_id id{};
  std::uint64_t start_unix_nano = 0;
  std::uint64_t duration_ns = 0;
  std::string root_service{};
  std::string root_operation{};
  std::size_t span_count = 0;
  std::size_t error_count = 0;
  std::size_t orphan_count = 0;
};

/// One operation of a service, as Jaeger lists it.
struct operation_info {
  std::string name{};
  std::string kind{};  ///< server|client|producer|consumer|internal, "" when unknown
  friend bool operator==(const operation_info&, const operation_info&) = default;
};

class source {
 public:
  virtual ~source() = default;
  /// What error messages call this source: the Jaeger URL or the file's path ("-": stdin).
  [[nodiscard]] virtual std::string name() const = 0;
  /// Service names, sorted.
  [[nodiscard]] virtual expected<std::vector<std::string>> services() = 0;
  /// Operations of `service`, sorted by name; `kind` ("" = any) filters by span kind.
  [[nodiscard]] virtual expected<std::vector<operation_info>> operations(
      const std::string& service, const std::string& kind) = 0;
  /// Spans of the traces matching `query` (every span of each matching trace), at most
  /// query.limit traces, newest first. No match is an empty vector, not an error.
  [[nodiscard]] virtual expected<std::vector<trace::span_data>> search(
      const search_query& query) = 0;
  /// Summaries of the traces matching `query`, at most query.limit, newest first: what
  /// `search` prints. This default summarises search()'s traces (source.cpp); a source that
  /// can ask for summaries alone overrides it. No match is an empty vector, not an error.
  [[nodiscard]] virtual expected<std::vector<trace_summary>> summaries(const search_query& query);
  /// Spans of the given traces. A trace that does not exist is an error naming its id.
  [[nodiscard]] virtual expected<std::vector<trace::span_data>> get(
      std::span<const trace::trace_id> ids) = 0;
  /// The same traces as OTLP JSON, untouched where the source holds OTLP JSON (api_v3
  /// responses; OTLP files: the documents or lines that carry the ids), one per line.
  [[nodiscard]] virtual expected<std::string> get_otlp(std::span<const trace::trace_id> ids) = 0;
};

}  // namespace vmterm::jaeger
