#pragma once
/// Command-line mistakes CLI11 finds (no command, an unknown command or flag, a missing
/// argument) in the project's form: "vmterm-trace: unknown command 'bogus'; give one of …".
/// Until the shared config::usage_error (core/flags.hpp) is in, vmterm-trace's own.

#include <CLI/CLI.hpp>

namespace vmterm::trace_cli {

/// Prints the message (or the help CLI11 was asked for) and returns the exit code: 0 for
/// --help, 2 for a usage error.
[[nodiscard]] int usage_error(CLI::App& app, const CLI::ParseError& e);

}  // namespace vmterm::trace_cli
