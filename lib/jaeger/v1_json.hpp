#pragma once
/// Jaeger's v1 JSON (the query service's "internal" UI API) to the span model.
///
/// Accepted documents:
///  - the `/api/traces` and `/api/traces/{id}` envelope `{"data":[Trace...],"errors":...}`;
///  - one Trace object, as Jaeger's UI downloads it (`{"traceID","spans","processes"}`);
///  - a JSON array of Trace objects;
///  - spans with an embedded `process` object instead of `processID` (anonymizer output).
///
/// Mapping (the reverse of the OTLP -> Jaeger translation):
///  - 16-hex (64-bit) ids are left-padded to 32/16 hex digits; µs times become ns;
///  - tag types string/bool/int64/float64/binary; int64 may be a JSON string; any value may be a
///    string ("type":"bool","value":"true"); `binary` stays as its base64 text (the span model
///    has no bytes type); a value that does not match its type is kept as text;
///  - `processes[id].serviceName` -> resource `service.name`, process tags -> resource attributes;
///  - the first CHILD_OF reference is the parent (when it names a missing span or another trace,
///    the tree shows the span as an orphan; a cross-trace parent is also kept as a link);
///    FOLLOWS_FROM and further CHILD_OF references become links carrying
///    `opentracing.ref_type` = `follows_from` / `child_of`;
///  - tag `span.kind` -> kind (absent = internal); `otel.status_code` + `otel.status_description`,
///    or `error=true`, -> status; `otel.scope.name`/`version` -> scope; `w3c.tracestate`;
///    `otel.dropped_*_count`; these tags are removed from the attributes;
///  - logs -> events, the field `event` naming the event; span `warnings` -> attribute
///    `@jaeger@warnings` (as api_v3 does).
///
/// Pure and thread-compatible; memory stays proportional to the spans decoded (each span is
/// converted and dropped from the JSON tree as soon as it has been parsed).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "trace/span_data.hpp"

namespace vmterm::jaeger {

/// What one v1 document held.
struct v1_document {
  std::vector<trace::span_data> spans{};  ///< in document order, traces one after another
  std::size_t trace_count = 0;
  /// Envelope `errors[]` reported next to data, e.g. "trace not found (traceID 00..ff)"
  /// for one id of a multi-get. An envelope with errors and no trace is a failure instead.
  std::vector<std::string> errors{};
};

/// Decodes a v1 document. `source` names the input in error messages ("traces.json", a URL, "-").
/// Never throws; errors read "decode Jaeger v1 JSON '<source>': <reason>".
[[nodiscard]] expected<v1_document> decode_v1_json(std::string_view text, std::string_view source);

}  // namespace vmterm::jaeger
