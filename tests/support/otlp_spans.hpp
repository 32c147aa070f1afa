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

}  // namespace vmterm::test
