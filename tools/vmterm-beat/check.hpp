#pragma once
/// `vmterm-beat check FILE`: validate a schedule and print each entry's next due times.

#include <iosfwd>

#include "options.hpp"

namespace vmterm::beat {

/// Prints to `out` (data) and `err` (the error); returns the exit code: 0 valid, 2 invalid or
/// unreadable schedule, unknown time zone or bad --now.
[[nodiscard]] int run_check(const check_options& opt, std::ostream& out, std::ostream& err);

}  // namespace vmterm::beat
