#pragma once
/// `services --json` and `operations --json`: one JSON object on one line, for jq. The shapes
/// are part of vmterm-trace's interface (man page vmterm-trace(1)); fields are only added.
///
///   {"services":["checkout","frontend"]}                         sorted
///   {"service":"checkout","operations":[{"name":"GET /cart","kind":"server"},
///                                       {"name":"charge","kind":null}]}
///                                   sorted by name, then kind; kind null when unknown
///
/// Invalid UTF-8 becomes U+FFFD.

#include <string>
#include <vector>

#include "jaeger/source.hpp"

namespace vmterm::jaeger {

/// The services object with a trailing newline.
[[nodiscard]] std::string render_services_json(const std::vector<std::string>& services);

/// The operations object with a trailing newline.
[[nodiscard]] std::string render_operations_json(const std::string& service,
                                                 const std::vector<operation_info>& operations);

}  // namespace vmterm::jaeger
