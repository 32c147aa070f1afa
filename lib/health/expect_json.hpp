#pragma once
/// `--expect-json PATH=VALUE`: a jq-like path (`.status`, `.checks[0].name`, `.` for the whole
/// document) and the value it must hold. A JSON string matches VALUE as text (`.status=ok`);
/// any other JSON value matches its compact JSON text (`.count=3`, `.ok=true`, `.x=null`).
/// Pure.

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.hpp"

namespace vmterm::health {

struct json_expectation {
  std::string path_text;                                     ///< ".checks[0].name"
  std::vector<std::variant<std::string, std::size_t>> path;  ///< keys and indexes
  std::string value;                                         ///< "ok"
};

/// Parses "PATH=VALUE". Errors are the reason only ("'status=ok': the path must start with
/// '.'; use .status=ok").
[[nodiscard]] expected<json_expectation> parse_json_expectation(std::string_view text);

/// Checks a response body; the error text says what was found (".status is \"degraded\", not
/// \"ok\"", ".status is missing", "the body is not JSON (...)").
[[nodiscard]] expected<void> match(const json_expectation& e, std::string_view body);

}  // namespace vmterm::health
