#pragma once
/// Nagios threshold ranges (monitoring-plugins developer guidelines, "Threshold and ranges"):
/// `[@]start:end`, inclusive; start 0 may be left out ("10" = 0:10), an empty end is +inf
/// ("10:"), `~` as start is -inf ("~:10"). A value alerts when it lies OUTSIDE the range, or
/// INSIDE it with a leading `@`. vmterm-health's thresholds are latencies: each bound may carry
/// the unit `ms` or `s` (a bare number is seconds, as check_http's -w/-c), and values are held
/// in seconds. Pure.

#include <limits>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace vmterm::health {

struct range {
  double start = 0;                                      ///< seconds; -inf for `~`
  double end = std::numeric_limits<double>::infinity();  ///< seconds; +inf when left out
  bool inside = false;                                   ///< `@`: alert inside [start, end]
  friend bool operator==(const range&, const range&) = default;
};

/// Parses a range. Errors are the reason only ("'abc' is not a number; use ..."); the caller
/// names the flag.
[[nodiscard]] expected<range> parse_range(std::string_view text);

/// True when `seconds` should raise the alert this range describes.
[[nodiscard]] bool alerts(const range& r, double seconds) noexcept;

/// The range in seconds in the guidelines' syntax ("0.5", "10:", "~:10", "@0.01:0.02"), for the
/// perfdata warn/crit fields.
[[nodiscard]] std::string to_string(const range& r);

/// A decimal number without exponent, at most 6 decimals, trailing zeros dropped ("0.0021",
/// "10", "-1.5"): the perfdata value form (the guidelines forbid scientific notation).
[[nodiscard]] std::string format_number(double value);

}  // namespace vmterm::health
