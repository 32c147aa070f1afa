#pragma once
/// Validation of Prometheus metric and label names (data model rules). Pure.

#include <string_view>

#include "core/error.hpp"

namespace vmterm::metrics {

/// A metric name matches [a-zA-Z_:][a-zA-Z0-9_:]*.
/// Error text: "invalid metric name '1abc': use [a-zA-Z_:][a-zA-Z0-9_:]*".
[[nodiscard]] expected<void> check_metric_name(std::string_view name);

/// A label name matches [a-zA-Z_][a-zA-Z0-9_]* and does not start with "__" (reserved).
/// Error text: "invalid label name 'a-b' for metric 'x': use [a-zA-Z_][a-zA-Z0-9_]*" or
/// "invalid label name '__x' for metric 'x': names starting with '__' are reserved".
[[nodiscard]] expected<void> check_label_name(std::string_view metric, std::string_view label);

}  // namespace vmterm::metrics
