#include "metrics/buckets.hpp"

#include <cmath>
#include <string>

#include "metrics/exposition.hpp"

namespace vmterm::metrics::buckets {

std::vector<double> prometheus_default() {
  return {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10};
}

std::vector<double> http_duration_seconds() {
  return {.005, .01, .025, .05, .075, .1, .25, .5, .75, 1, 2.5, 5, 7.5, 10};
}

std::vector<double> linear(double start, double width, int count) {
  std::vector<double> out;
  for (int i = 0; i < count; ++i) out.push_back(start + width * i);
  return out;
}

std::vector<double> exponential(double start, double factor, int count) {
  std::vector<double> out;
  double v = start;
  for (int i = 0; i < count; ++i, v *= factor) out.push_back(v);
  return out;
}

expected<std::vector<double>> check(std::string_view metric, std::vector<double> bounds) {
  const std::string prefix = "histogram '" + std::string(metric) + "': ";
  if (!bounds.empty() && bounds.back() == INFINITY) bounds.pop_back();
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (std::isnan(bounds[i])) {
      return fail(std::errc::invalid_argument, prefix + "bucket bound NaN is not a number");
    }
    if (i > 0 && !(bounds[i] > bounds[i - 1])) {
      return fail(std::errc::invalid_argument, prefix + "bucket bounds must increase strictly; " +
                                                   format_value(bounds[i]) + " follows " +
                                                   format_value(bounds[i - 1]));
    }
  }
  return bounds;
}

}  // namespace vmterm::metrics::buckets
