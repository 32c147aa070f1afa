#pragma once
/// OTLP protobuf for traces: spans → the bytes of an ExportTraceServiceRequest, written here
/// from opentelemetry-proto's field numbers (a fixed schema needs no generated code). The
/// same grouping and the same defaults left out as the JSON encoder (otlp_json.hpp); strings
/// with invalid UTF-8 get U+FFFD (proto3 strings must be UTF-8). Pure; never throws except
/// std::bad_alloc.

#include <chrono>
#include <optional>
#include <span>
#include <string>

#include "core/error.hpp"
#include "trace/span_data.hpp"
#include "trace_otlp/otlp_json.hpp"

namespace vmterm::trace_otlp {

/// Appends one serialized ExportTraceServiceRequest to `out`.
void encode_request_proto(std::span<const trace::span_data> spans, std::string& out);
/// The same from pointers to spans (exporter::export_records' batch); the same output.
void encode_request_proto(std::span<const trace::span_data* const> spans, std::string& out);

/// The same, into a new string.
[[nodiscard]] std::string encode_request_proto(std::span<const trace::span_data> spans);
[[nodiscard]] std::string encode_request_proto(std::span<const trace::span_data* const> spans);

/// Decodes a protobuf ExportTraceServiceResponse (partial_success = 1 { rejected_spans = 1,
/// error_message = 2 }); an empty body is full success. Unknown fields are skipped; a
/// truncated or malformed body is an error.
[[nodiscard]] expected<export_response> decode_export_response_proto(std::string_view body);

/// The delay a gRPC server asked for in a google.rpc.RetryInfo among the details of its
/// google.rpc.Status (the grpc-status-details-bin trailer's bytes); nullopt when there is none
/// or the bytes are malformed. Delays above a day are ignored.
[[nodiscard]] std::optional<std::chrono::milliseconds> decode_retry_delay(
    std::string_view status_details);

}  // namespace vmterm::trace_otlp
