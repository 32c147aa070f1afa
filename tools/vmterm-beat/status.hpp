#pragma once
/// `vmterm-beat status`: who leads, and each entry's last and next run, read from Redis.

#include <iosfwd>

#include "options.hpp"

namespace vmterm::beat {

/// 0 when answered, 1 when Redis cannot be reached, 2 for a bad schedule, zone or URL.
[[nodiscard]] int run_status(const run_options& run, const status_options& opt, std::ostream& out,
                             std::ostream& err);

}  // namespace vmterm::beat
