#pragma once
/// Histogram bucket upper bounds: the usual sets and generators, and their validation.
/// The `+Inf` bucket is always implied and never listed.

#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace vmterm::metrics::buckets {

/// The Prometheus client default: .005 .01 .025 .05 .1 .25 .5 1 2.5 5 10 (seconds).
[[nodiscard]] std::vector<double> prometheus_default();

/// Request durations in seconds, the OpenTelemetry HTTP semantic conventions' advice:
/// .005 .01 .025 .05 .075 .1 .25 .5 .75 1 2.5 5 7.5 10.
[[nodiscard]] std::vector<double> http_duration_seconds();

/// `count` bounds: start, start+width, ...
[[nodiscard]] std::vector<double> linear(double start, double width, int count);

/// `count` bounds: start, start*factor, ...
[[nodiscard]] std::vector<double> exponential(double start, double factor, int count);

/// Checks the bounds of histogram `metric`: no NaN, strictly increasing; a trailing +Inf is
/// dropped. Error text: "histogram 'x': bucket bounds must increase strictly; 0.5 follows 1".
[[nodiscard]] expected<std::vector<double>> check(std::string_view metric,
                                                  std::vector<double> bounds);

}  // namespace vmterm::metrics::buckets
