#pragma once
/// vmterm-trace's commands: services, operations, search, stats, show (and show --follow).
/// Data goes to stdout, one-line diagnostics ("vmterm-trace: …") to stderr; each returns an
/// exit code from core/exit_code.hpp.

#include "core/config.hpp"
#include "options.hpp"

namespace vmterm::trace_cli {

/// Runs opt.command; never throws except std::bad_alloc.
[[nodiscard]] int run(const options& opt, const config::env_lookup& env);

}  // namespace vmterm::trace_cli
