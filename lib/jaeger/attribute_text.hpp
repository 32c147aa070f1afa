#pragma once
/// Attribute values as text for people: strings quoted, numbers and booleans plain, arrays in
/// brackets. Used by the tree renderer's verbose mode.

#include <string>

#include "trace/span_data.hpp"

namespace vmterm::jaeger {

/// `"GET"`, `200`, `true`, `72.5`, `["a", "b"]`, `[1, 2]`.
[[nodiscard]] std::string attribute_text(const trace::attribute_value& value);

/// `key=value key2=value2` for a list of attributes ("" when empty).
[[nodiscard]] std::string attributes_text(const trace::attributes& attrs);

}  // namespace vmterm::jaeger
