#pragma once
/// Prometheus text exposition format 0.0.4: a pure writer from snapshots to text.
/// https://prometheus.io/docs/instrumenting/exposition_formats/

#include <span>
#include <string>
#include <string_view>

#include "metrics/snapshot.hpp"

namespace vmterm::metrics {

/// The Content-Type of the text format, for the /metrics handler.
inline constexpr std::string_view text_content_type = "text/plain; version=0.0.4; charset=utf-8";

/// A sample value or `le` bound: "+Inf", "-Inf", "NaN", integers without exponent or fraction
/// ("1000000"), otherwise the shortest text that reads back the same double ("0.005", "1e-09").
[[nodiscard]] std::string format_value(double v);

/// HELP text: `\` → `\\`, newline → `\n`; invalid UTF-8 bytes become U+FFFD.
[[nodiscard]] std::string escape_help(std::string_view help);

/// Label value: `\` → `\\`, `"` → `\"`, newline → `\n`; invalid UTF-8 bytes become U+FFFD.
[[nodiscard]] std::string escape_label_value(std::string_view value);

/// format_value, escape_help and escape_label_value appending to `out` (for writers that
/// stream a family's text without building snapshots: family_base::write_text).
void append_value(std::string& out, double v);
void append_escaped_help(std::string& out, std::string_view help);
void append_escaped_label_value(std::string& out, std::string_view value);

/// Appends each family that has samples, in the order given: `# HELP`, `# TYPE`, then its
/// sample lines. Families without samples are left out (as the Go client does).
void write_text(std::string& out, std::span<const family_snapshot> families);

/// write_text into a new string.
[[nodiscard]] std::string to_text(std::span<const family_snapshot> families);

}  // namespace vmterm::metrics
