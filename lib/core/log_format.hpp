#pragma once
/// Pure rendering of one log record as a JSON line or a readable text line. No I/O, no global
/// state; redaction is applied here, so every writer of records gets it.

#include <chrono>
#include <span>
#include <string>
#include <string_view>

#include "core/log.hpp"

namespace vmterm::log {

/// Everything one line shows. Views must stay valid while the record is formatted.
struct record {
  std::chrono::system_clock::time_point time{};
  level lvl{level::info};
  std::string_view service{};
  std::string_view message{};
  std::string_view trace_id{};    ///< empty: omitted
  std::string_view span_id{};     ///< empty: omitted
  std::string_view request_id{};  ///< empty: omitted
  std::span<const field> fields{};
};

/// RFC 3339 UTC with milliseconds: "2026-08-01T12:34:56.789Z".
[[nodiscard]] std::string format_timestamp(std::chrono::system_clock::time_point t);

/// One JSON object and a '\n'. Keys in order: timestamp, level, service, message, trace_id,
/// span_id, request_id, then the extra fields in the given order; an extra field whose key
/// collides with one of those is written as "fields.<key>". Invalid UTF-8 becomes U+FFFD;
/// non-finite doubles become null.
[[nodiscard]] std::string format_json(const record& r);

/// "<timestamp> <LEVEL> <service>: <message> request_id=... trace_id=... span_id=... k=v\n";
/// values with spaces, quotes, '=' or control characters are quoted and escaped.
[[nodiscard]] std::string format_text(const record& r);

}  // namespace vmterm::log
