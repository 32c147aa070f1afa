// vmterm-beat: send periodic Celery tasks from a schedule file; `check` validates one and prints
// its next due times. See vmterm-beat(1).
#include <exception>
#include <iostream>

#include "check.hpp"
#include "core/exit_code.hpp"
#include "options.hpp"

int main(int argc, char** argv) {
  vmterm::beat::options opt;
  if (auto code = vmterm::beat::parse_command_line(argc, argv, opt)) return *code;
  try {
    return vmterm::beat::run_check(opt.check, std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "vmterm-beat: internal error: " << e.what() << '\n';
    return vmterm::to_int(vmterm::exit_code::internal);
  }
}
