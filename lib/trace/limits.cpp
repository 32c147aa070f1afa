#include "trace/limits.hpp"

#include <string>

namespace vmterm::trace {
namespace {

constexpr std::int64_t max_limit = std::numeric_limits<std::int32_t>::max();

/// `specific` if set and valid, else `generic` if set and valid, else `fallback`.
std::size_t read_limit(const config::env_lookup& env, std::string_view specific,
                       std::string_view generic, std::size_t fallback, const warn_fn& warn) {
  const std::string fallback_text =
      fallback == std::numeric_limits<std::size_t>::max() ? "(no limit)" : std::to_string(fallback);
  if (auto v = env_integer(env, specific, 0, max_limit, fallback_text, warn)) {
    return static_cast<std::size_t>(*v);
  }
  if (!generic.empty()) {
    if (auto v = env_integer(env, generic, 0, max_limit, fallback_text, warn)) {
      return static_cast<std::size_t>(*v);
    }
  }
  return fallback;
}

}  // namespace

span_limits span_limits::from_env(const config::env_lookup& env, const warn_fn& warn) {
  span_limits l;
  l.attribute_value_length =
      read_limit(env, "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT",
                 l.attribute_value_length, warn);
  l.attribute_count = read_limit(env, "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT",
                                 "OTEL_ATTRIBUTE_COUNT_LIMIT", l.attribute_count, warn);
  l.event_count = read_limit(env, "OTEL_SPAN_EVENT_COUNT_LIMIT", {}, l.event_count, warn);
  l.link_count = read_limit(env, "OTEL_SPAN_LINK_COUNT_LIMIT", {}, l.link_count, warn);
  l.event_attribute_count = read_limit(env, "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT",
                                       "OTEL_ATTRIBUTE_COUNT_LIMIT", l.event_attribute_count, warn);
  l.link_attribute_count = read_limit(env, "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT",
                                      "OTEL_ATTRIBUTE_COUNT_LIMIT", l.link_attribute_count, warn);
  return l;
}

}  // namespace vmterm::trace
