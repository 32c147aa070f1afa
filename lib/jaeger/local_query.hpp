#pragma once
/// Jaeger's queries answered from spans in memory: what a file source computes locally, and
/// the client-side filtering applied to Jaeger's answers (older Jaeger ignores tag filters,
/// and neither API filters by error). Pure and thread-compatible.

#include <string>
#include <string_view>
#include <vector>

#include "jaeger/source.hpp"
#include "trace/span_data.hpp"

namespace vmterm::jaeger {

/// Distinct `service.name`s of the spans, sorted ("" left out).
[[nodiscard]] std::vector<std::string> list_services(const std::vector<trace::span_data>& spans);

/// Distinct operations of `service`, sorted by name then kind; `kind` ("" = any) filters.
[[nodiscard]] std::vector<operation_info> list_operations(
    const std::vector<trace::span_data>& spans, std::string_view service, std::string_view kind);

/// True when the span satisfies the span-level criteria of `query` (service, operation, tags on
/// the span or its resource, min/max duration), as Jaeger's search matches one span.
[[nodiscard]] bool span_matches(const trace::span_data& span, const search_query& query);

/// The traces with a matching span that starts within [query.start, query.end] (0 = open), and
/// with an error span when query.errors_only; newest first (latest trace start), at most
/// query.limit. Returns every span of those traces, trace by trace. Consumes `spans`.
[[nodiscard]] std::vector<trace::span_data> search_spans(std::vector<trace::span_data> spans,
                                                         const search_query& query);

/// Keeps the spans of the traces listed in `ids`, in the order of `ids`. Consumes `spans`.
[[nodiscard]] std::vector<trace::span_data> spans_of(std::vector<trace::span_data> spans,
                                                     const std::vector<trace::trace_id>& ids);

}  // namespace vmterm::jaeger
