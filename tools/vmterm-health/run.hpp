#pragma once
/// One vmterm-health run: every probe at once (one thread each), all bounded by the run's
/// deadline (--timeout), under one root span `health.run`; the report rendered as asked; the
/// trace flushed within min(time left, 500 ms). Returns the exit code (the folded state).

#include <iosfwd>

#include "options.hpp"
#include "trace/install.hpp"

namespace vmterm::health_tool {

/// `err` gets the notes that are not the report (a failed --ping-url).
[[nodiscard]] int run(const options& opt, std::ostream& out, std::ostream& err,
                      trace::installation& tracing);

}  // namespace vmterm::health_tool
