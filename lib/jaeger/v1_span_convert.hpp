#pragma once
/// Private to lib/jaeger (and its unit tests): converts one Jaeger v1 span or process object,
/// already parsed by nlohmann_json, into the span model. Not part of the module's interface,
/// which is v1_json.hpp; it exists so that v1_json.cpp can stream spans one at a time.

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "trace/span_data.hpp"

namespace vmterm::jaeger::detail {

/// A decoded span whose resource is still named by its `processID` (resolved once the
/// trace's `processes` map has been read). An embedded `process` object resolves it directly.
struct pending_span {
  trace::span_data span;
  std::string process_id;
};

/// Decodes one v1 span object. The error message is only the reason ("span 3: ..."); the
/// caller prefixes the action and the input's name.
[[nodiscard]] expected<pending_span> convert_span(const nlohmann::json& span, std::size_t index);

/// Decodes one v1 process object (`serviceName` becomes `service.name`, tags become resource
/// attributes). Never fails: a malformed process yields an empty resource.
[[nodiscard]] std::shared_ptr<const trace::resource> convert_process(const nlohmann::json& process);

/// Decodes a v1 `tags`/`fields` array of `{key, type, value}`; tolerates values written as
/// strings and keeps what cannot be converted as the original text.
[[nodiscard]] trace::attributes convert_tags(const nlohmann::json& tags);

/// An int64 written as a JSON integer, an integral float or a numeric string.
[[nodiscard]] std::optional<std::int64_t> json_int64(const nlohmann::json& v);

/// Ids of up to 32 / 16 hex digits (64-bit trace ids left-padded); nullopt when invalid.
[[nodiscard]] std::optional<trace::trace_id> parse_trace_id(std::string_view hex);
[[nodiscard]] std::optional<trace::span_id> parse_span_id(std::string_view hex);

/// Shared by convert_span and the streaming decoder (v1_json_stream.cpp), so both map alike:
/// tags the OTLP -> Jaeger mapping invented go back to their span-model fields;
void apply_special_tags(trace::span_data& s);
/// a log's fields become an event, the field `event` naming it;
[[nodiscard]] trace::event make_event(std::uint64_t time_unix_nano, trace::attributes fields);
/// a reference becomes the parent (the first CHILD_OF) or a link;
void add_reference(trace::span_data& s, bool& have_parent, std::string_view trace_hex,
                   std::string_view span_hex, std::string_view ref_type);
/// a process's service name and tags become a resource.
[[nodiscard]] std::shared_ptr<const trace::resource> make_resource(const std::string& service,
                                                                   trace::attributes tags);

/// A trace's `processes`, by id.
using process_map = std::map<std::string, std::shared_ptr<const trace::resource>, std::less<>>;
/// Appends the spans of one trace to `out`, each with its process's resource (an empty one for
/// an unknown processID), and empties `pending`.
void resolve_processes(std::vector<pending_span>& pending, const process_map& processes,
                       std::vector<trace::span_data>& out);

/// Parses a Jaeger hex id of up to `digits` hex digits, left-padding with zeros.
[[nodiscard]] std::string pad_hex(std::string_view hex, std::size_t digits);

}  // namespace vmterm::jaeger::detail
