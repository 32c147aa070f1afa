// vmterm-worker: runs Celery tasks from Redis (built-ins and shell commands) beside real Celery
// workers and clients; `call` sends one, `inspect` shows workers and queues. See
// vmterm-worker(1).
#include <exception>
#include <iostream>

#include "app.hpp"
#include "core/exit_code.hpp"
#include "core/log.hpp"
#include "options.hpp"
#include "trace_otlp/install_from_env.hpp"

namespace {

template <class Settings>
int with_logging(const Settings& s, int (*run)(const Settings&)) {
  vmterm::log::configure({.service = "vmterm-worker",
                          .min_level = s.common.log_level,
                          .line_format = s.common.log_format});
  auto tracing = vmterm::trace_otlp::install_from_env("vmterm-worker");  // flushed at return
  return run(s);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vmterm::worker;
  options opt;
  if (auto code = parse_command_line(argc, argv, opt)) return *code;
  try {
    switch (opt.which) {
      case options::command::run:
        return with_logging(opt.run, &run_worker);
      case options::command::call:
        return with_logging<call_settings>(
            opt.call, [](const call_settings& c) { return run_call(c, std::cout, std::cerr); });
      case options::command::inspect:
        return with_logging<inspect_settings>(opt.inspect, [](const inspect_settings& c) {
          return run_inspect(c, std::cout, std::cerr);
        });
    }
  } catch (const std::exception& e) {
    std::cerr << "vmterm-worker: internal error: " << e.what() << '\n';
    return vmterm::to_int(vmterm::exit_code::internal);
  }
  return vmterm::to_int(vmterm::exit_code::internal);
}
