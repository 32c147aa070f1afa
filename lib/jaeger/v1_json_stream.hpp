#pragma once
/// Private to lib/jaeger (and its unit tests): the streaming half of decode_v1_json. It reads
/// Jaeger v1 JSON straight into span_data, without a DOM, and produces exactly what the DOM
/// decoder (v1_json.cpp on nlohmann_json) gives, or nothing: on a syntax error, anything the
/// DOM decoder reports as an error, or a shape it leaves to that decoder (values of other JSON
/// types than Jaeger writes, a repeated span member, unknown members holding objects, envelope
/// errors), it declines and decode_v1_json decodes the same text with the DOM decoder, which
/// gives the result or the exact error.

#include <optional>
#include <string_view>

#include "jaeger/v1_json.hpp"

namespace vmterm::jaeger::detail {

/// The decoded document; nullopt when declined.
[[nodiscard]] std::optional<v1_document> stream_v1_json(std::string_view text);

/// decode_v1_json on nlohmann's DOM alone (the reference the streaming decoder must match;
/// tests compare the two).
[[nodiscard]] expected<v1_document> decode_v1_json_dom(std::string_view text,
                                                       std::string_view source);

}  // namespace vmterm::jaeger::detail
