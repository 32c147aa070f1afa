#pragma once
/// Spans from a file of OTLP/JSON lines (what OTEL_TRACES_EXPORTER=file writes), for tests that
/// check the traces a program exported.

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace vmterm::test {

/// name → the span's OTLP JSON object, every span of every line (resourceSpans → scopeSpans →
/// spans); lines that are not JSON are skipped (a file still being written). Empty when the
/// file is missing.
[[nodiscard]] std::multimap<std::string, nlohmann::json> otlp_spans_in(
    const std::filesystem::path& file);

/// One attribute of an OTLP/JSON span (or event, or link) as text: a string as it is, an
/// integer in decimal (OTLP/JSON writes int64 as a string or a number), anything else as JSON;
/// "" when it has no attribute `key`.
[[nodiscard]] std::string otlp_attribute(const nlohmann::json& span, const std::string& key);

}  // namespace vmterm::test
