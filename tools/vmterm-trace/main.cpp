// vmterm-trace: read traces from Jaeger or OTLP/Jaeger JSON files and print them as span trees,
// waterfalls, search listings, statistics and JSON for jq. See vmterm-trace(1).
#include <exception>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "core/config.hpp"
#include "core/exit_code.hpp"
#include "options.hpp"
#include "source_select.hpp"
#include "trace/termination_signals.hpp"
#include "trace_otlp/install_from_env.hpp"

int main(int argc, char** argv) {
  // Before any thread starts: Ctrl-C or SIGTERM (e.g. during --follow) exports queued spans
  // before the program ends.
  vmterm::trace::termination_signals signals;
  vmterm::trace_cli::options opt;
  if (auto code = vmterm::trace_cli::parse_command_line(argc, argv, opt)) return *code;
  const auto env = vmterm::config::process_env();
  // Shared with the signal handler, which may run while main is returning.
  auto tracing = std::make_shared<vmterm::trace::installation>(vmterm::trace_otlp::install_from_env(
      "vmterm-trace", vmterm::trace_cli::tracing_env(opt, env)));
  signals.on_signal([tracing] { tracing->shutdown(); });
  try {
    return vmterm::trace_cli::run(opt, env);
  } catch (const std::exception& e) {
    std::cerr << "vmterm-trace: internal error: " << e.what() << '\n';
    return vmterm::to_int(vmterm::exit_code::internal);
  }
}
