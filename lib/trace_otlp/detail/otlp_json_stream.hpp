#pragma once
/// Private to lib/trace_otlp: the streaming half of decode_spans. It reads OTLP JSON straight
/// into span_data, without a DOM, and produces exactly what the DOM decoder would, or nothing:
/// on a syntax error, a field the DOM decoder would refuse, or a shape it leaves to that
/// decoder (duplicate keys, AnyValues with two values, mixed or nested arrays, whole numbers
/// written as 1.0 or 1e3, nesting deeper than 128) it declines, and decode_spans decodes the
/// same text again with the DOM decoder, which gives the result or the exact error.

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "trace/span_data.hpp"

namespace vmterm::trace_otlp::detail {

/// Decodes the OTLP document (ExportTraceServiceRequest, TracesData or api_v3's {"result":…})
/// that starts at or after `pos` (after JSON whitespace), appending its spans to `out`.
/// The position after the document; nullopt when declined, with `out` left as it was.
[[nodiscard]] std::optional<std::size_t> stream_document(std::string_view text, std::size_t pos,
                                                         std::vector<trace::span_data>& out);

/// decode_spans on nlohmann's DOM alone (the reference the streaming decoder must match; tests
/// compare the two).
[[nodiscard]] expected<std::vector<trace::span_data>> decode_spans_dom(std::string_view text,
                                                                       std::string_view input_name);

}  // namespace vmterm::trace_otlp::detail
