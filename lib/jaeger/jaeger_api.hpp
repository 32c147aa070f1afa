#pragma once
/// Jaeger's query HTTP APIs without the I/O: request targets for api_v3 and the v1 JSON API,
/// and the decoding of their answers (tracing-standards.md section 6). Pure functions.
///
/// Targets are built from the base URL's path (Jaeger's optional `base_path`) and carry
/// percent-encoded query parameters; api_v3 search uses the snake_case names every Jaeger
/// since v1.60 accepts, both RFC 3339 time bounds, and Go durations ("10000000ns").

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "jaeger/source.hpp"

namespace vmterm::jaeger::api {

/// Percent-encodes everything but RFC 3986's unreserved characters.
[[nodiscard]] std::string escape(std::string_view text);

/// `<ns>ns`, which Go's time.ParseDuration reads.
[[nodiscard]] std::string go_duration(std::uint64_t ns);

// api_v3 ---------------------------------------------------------------------------------------
[[nodiscard]] std::string v3_services(std::string_view base_path);
[[nodiscard]] std::string v3_operations(std::string_view base_path, std::string_view service,
                                        std::string_view kind);
[[nodiscard]] std::string v3_search(std::string_view base_path, const search_query& query);
[[nodiscard]] std::string v3_trace(std::string_view base_path, const trace::trace_id& id);
/// `/api/v3/trace-summaries` (Jaeger v2.19+) with the same parameters as v3_search.
[[nodiscard]] std::string v3_trace_summaries(std::string_view base_path, const search_query& query);

/// {"services":[...]} → sorted names.
[[nodiscard]] expected<std::vector<std::string>> decode_v3_services(std::string_view body);
/// {"operations":[{"name","spanKind"}]} → sorted by name, then kind.
[[nodiscard]] expected<std::vector<operation_info>> decode_v3_operations(std::string_view body);

/// {"summaries":[{"traceId","rootServiceName","rootOperationName","minStartTimeUnixNano",
/// "maxEndTimeUnixNano","spanCount","errorSpanCount","orphanSpanCount",...}]}, or {} for no
/// match → summaries in the answer's order (64-bit numbers as strings or numbers).
[[nodiscard]] expected<std::vector<trace_summary>> decode_v3_summaries(std::string_view body);

// v1 -------------------------------------------------------------------------------------------
[[nodiscard]] std::string v1_services(std::string_view base_path);
/// `/api/services/{svc}/operations`, or `/api/operations?service=&spanKind=` with a kind.
[[nodiscard]] std::string v1_operations(std::string_view base_path, std::string_view service,
                                        std::string_view kind);
[[nodiscard]] std::string v1_search(std::string_view base_path, const search_query& query);
[[nodiscard]] std::string v1_trace(std::string_view base_path, const trace::trace_id& id);

/// {"data":["svc",...]} → sorted names.
[[nodiscard]] expected<std::vector<std::string>> decode_v1_services(std::string_view body);
/// {"data":["op",...]} or {"data":[{"name","spanKind"}]} → sorted by name, then kind.
[[nodiscard]] expected<std::vector<operation_info>> decode_v1_operations(std::string_view body);

// both -----------------------------------------------------------------------------------------
/// The message inside an error body, whatever its Content-Type (Jaeger writes JSON as
/// text/plain): api_v3 {"error":{"message"}}, v1 {"errors":[{"msg"}]}; otherwise the body's
/// first line, shortened. "" for an empty body.
[[nodiscard]] std::string error_message(std::string_view body);

/// Whether a body is a JSON object: api_v3 answers even its errors with one ({"error":{...}};
/// grpc-gateway in older releases {"code":5,"message":...}), while a route the server does not
/// have gets Go's text/plain "404 page not found".
[[nodiscard]] bool is_json_object(std::string_view body);

/// A v1 envelope that carries errors[] and no data ({"data":null,"errors":[{"code":500,
/// "msg":"..."}]}, which Jaeger may send with status 200): "<msg> (code <code>)"; nullopt
/// for anything else.
[[nodiscard]] std::optional<std::string> v1_envelope_error(std::string_view body);

/// The start of a body for a message: first line, at most `max` bytes, control bytes as '?'.
[[nodiscard]] std::string body_excerpt(std::string_view body, std::size_t max = 60);

}  // namespace vmterm::jaeger::api
