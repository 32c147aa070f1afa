// vmterm-health: probe HTTP and Redis services once, for cron and Nagios. The state is the exit
// code (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN). See vmterm-health(1).
#include <malloc.h>

#include <exception>
#include <iostream>

#include "core/exit_code.hpp"
#include "core/signals.hpp"
#include "health/report.hpp"
#include "options.hpp"
#include "run.hpp"
#include "trace_otlp/install_from_env.hpp"

int main(int argc, char** argv) {
  // One malloc arena for every thread (the probes' and the trace exporter's): a second arena is
  // three system calls and its own touched pages in the peak RSS, for a process that lives
  // milliseconds and allocates little.
  ::mallopt(M_ARENA_MAX, 1);
  vmterm::health_tool::options opt;
  if (auto code = vmterm::health_tool::parse_command_line(argc, argv, opt)) return *code;
  try {
    vmterm::core::ignore_sigpipe();  // hiredis writes with write(2)
    // Spans kept and exported once, on this thread, at exit: no exporter thread to start in a
    // process that lives milliseconds (tests/bench/health).
    auto tracing = vmterm::trace_otlp::install_from_env(
        "vmterm-health", vmterm::config::process_env(), vmterm::trace::stderr_warn("vmterm-health"),
        vmterm::trace::span_delivery::at_exit);
    return vmterm::health_tool::run(opt, std::cout, std::cerr, tracing);
  } catch (const std::exception& e) {
    std::cout << vmterm::health::usage_line(std::string("internal error: ") + e.what()) << '\n';
    std::cerr << "vmterm-health: internal error: " << e.what() << '\n';
    return vmterm::to_int(vmterm::health_status::unknown);
  }
}
