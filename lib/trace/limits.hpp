#pragma once
/// Span limits (OpenTelemetry SDK spec, "Span Limits") and their OTEL_*_LIMIT variables.

#include <cstddef>
#include <cstdint>
#include <limits>

#include "core/config.hpp"
#include "trace/env.hpp"

namespace vmterm::trace {

struct span_limits {
  /// Longest string attribute value in bytes (cut at a UTF-8 character boundary); arrays are
  /// limited per element. No limit by default.
  std::size_t attribute_value_length = std::numeric_limits<std::size_t>::max();
  std::size_t attribute_count = 128;  ///< per span
  std::size_t event_count = 128;
  std::size_t link_count = 128;
  std::size_t event_attribute_count = 128;
  std::size_t link_attribute_count = 128;

  /// OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT (else OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT),
  /// OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT (else OTEL_ATTRIBUTE_COUNT_LIMIT),
  /// OTEL_SPAN_EVENT_COUNT_LIMIT, OTEL_SPAN_LINK_COUNT_LIMIT, OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT and
  /// OTEL_LINK_ATTRIBUTE_COUNT_LIMIT (both else OTEL_ATTRIBUTE_COUNT_LIMIT). Bad values warn.
  [[nodiscard]] static span_limits from_env(const config::env_lookup& env, const warn_fn& warn);
};

}  // namespace vmterm::trace
