// vmterm-beat: send periodic Celery tasks from a schedule file, each tick once with any number
// of beats running; `check` validates a schedule, `status` shows who leads. See vmterm-beat(1).
#include <exception>
#include <iostream>

#include "check.hpp"
#include "core/exit_code.hpp"
#include "core/log.hpp"
#include "options.hpp"
#include "runner.hpp"
#include "status.hpp"
#include "trace_otlp/install_from_env.hpp"

int main(int argc, char** argv) {
  vmterm::beat::options opt;
  if (auto code = vmterm::beat::parse_command_line(argc, argv, opt)) return *code;
  try {
    if (opt.command == "check") return vmterm::beat::run_check(opt.check, std::cout, std::cerr);
    if (opt.command == "status") {
      return vmterm::beat::run_status(opt.run, opt.status, std::cout, std::cerr);
    }
    vmterm::log::configure({.service = "vmterm-beat",
                            .min_level = *vmterm::log::parse_level(opt.run.log_level),
                            .line_format = *vmterm::log::parse_format(opt.run.log_format)});
    auto tracing = vmterm::trace_otlp::install_from_env("vmterm-beat");  // flushed at exit
    return vmterm::beat::run_beat(opt.run);
  } catch (const std::exception& e) {
    std::cerr << "vmterm-beat: internal error: " << e.what() << '\n';
    return vmterm::to_int(vmterm::exit_code::internal);
  }
}
