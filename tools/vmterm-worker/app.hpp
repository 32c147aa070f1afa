#pragma once
/// The three commands of vmterm-worker, each returning a documented exit code.

#include <iosfwd>

#include "options.hpp"

namespace vmterm::worker {

/// The worker until SIGTERM/SIGINT (warm shutdown, exit 0), --max-tasks/--max-memory (exit 0)
/// or a broker that cannot be reached at start (exit 1).
[[nodiscard]] int run_worker(const run_settings& s);
/// `call`: prints the id (or with --wait the result JSON) on `out`; errors on `err`.
[[nodiscard]] int run_call(const call_settings& s, std::ostream& out, std::ostream& err);
/// `inspect`: live workers and queue depths.
[[nodiscard]] int run_inspect(const inspect_settings& s, std::ostream& out, std::ostream& err);

}  // namespace vmterm::worker
