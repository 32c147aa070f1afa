#pragma once
/// OTLP JSON for traces (opentelemetry-proto's JSON mapping): spans → ExportTraceServiceRequest
/// and back. Pure functions: no I/O, no globals, safe to call from any thread.
///
/// Encoding follows the mapping exactly: lowerCamelCase keys, lowercase hex ids, integer enums
/// (kind, status.code), 64-bit integers as decimal strings (times, intValue), arrays as
/// arrayValue, spans grouped by resource and then by scope (by pointer, in order of first
/// appearance). Fields holding their default value are left out ("traceState", "parentSpanId"
/// of a root span, empty attribute lists, zero dropped counts), as proto3 JSON allows.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "trace/span_data.hpp"

namespace vmterm::trace_otlp {

/// Appends one ExportTraceServiceRequest (a single line, no trailing newline) to `out`.
/// Invalid UTF-8 in strings becomes U+FFFD; NaN and infinities become "NaN", "Infinity" and
/// "-Infinity" (proto3 JSON). Never throws except std::bad_alloc.
void encode_request(std::span<const trace::span_data> spans, std::string& out);
/// The same from pointers to spans (exporter::export_records' batch); the same output.
void encode_request(std::span<const trace::span_data* const> spans, std::string& out);

/// The same, into a new string.
[[nodiscard]] std::string encode_request(std::span<const trace::span_data> spans);
[[nodiscard]] std::string encode_request(std::span<const trace::span_data* const> spans);

/// Decodes OTLP JSON into spans. Accepts one document (an ExportTraceServiceRequest or
/// TracesData, also wrapped in Jaeger api_v3's {"result": ...}) or JSON lines with one such
/// document per line (the Collector file exporter's format). Hex ids in either case; 64-bit
/// integers as strings or numbers; unknown fields ignored; kvlistValue and bytesValue become
/// strings (JSON text and base64). Spans of one resourceSpans entry share one resource, and of
/// one scopeSpans entry one scope. `input_name` names the input in errors:
///   "decode OTLP JSON 'traces.jsonl': line 3: resourceSpans[0].scopeSpans[0].spans[1].traceId:
///    'xyz' is not a hex trace id (32 digits)"
[[nodiscard]] expected<std::vector<trace::span_data>> decode_spans(std::string_view text,
                                                                   std::string_view input_name);

/// An ExportTraceServiceResponse: empty on full success; partialSuccess otherwise.
struct export_response {
  std::int64_t rejected_spans = 0;
  std::string error_message;
};

/// Decodes a response body ("{}" or {"partialSuccess":{...}}); an empty body counts as "{}".
[[nodiscard]] expected<export_response> decode_export_response(std::string_view body);

}  // namespace vmterm::trace_otlp
