// vmterm-worker: runs Celery tasks from Redis (built-ins and shell commands) beside real Celery
// workers and clients; `call` sends one, `inspect` shows workers and queues. See
// vmterm-worker(1).
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "app.hpp"
#include "core/exit_code.hpp"
#include "core/flags.hpp"
#include "core/log.hpp"
#include "options.hpp"
#include "trace_otlp/install_from_env.hpp"

namespace {

template <class Settings>
int with_logging(const vmterm::expected<Settings>& s, int (*run)(const Settings&)) {
  vmterm::log::configure({.service = "vmterm-worker",
                          .min_level = s->common.log_level,
                          .line_format = s->common.log_format});
  auto tracing = vmterm::trace_otlp::install_from_env("vmterm-worker");  // flushed at return
  return run(*s);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace vmterm::worker;
  options opt;
  CLI::App app{
      "vmterm-worker: run Celery tasks from Redis; send them (call); list workers and "
      "queues (inspect)"};
  app.name("vmterm-worker");
  add_flags(app, opt);
  if (auto code = vmterm::config::parse_command_line(app, argc, argv, "vmterm-worker")) {
    return *code;
  }
  const auto env = vmterm::config::process_env();
  try {
    switch (opt.which) {
      case options::command::run: {
        auto s = resolve_run(opt, env);
        if (!s) return vmterm::config::refuse("vmterm-worker", s.error());
        return with_logging<run_settings>(s, &run_worker);
      }
      case options::command::call: {
        auto s = resolve_call(opt, env);
        if (!s) return vmterm::config::refuse("vmterm-worker", s.error());
        return with_logging<call_settings>(
            s, [](const call_settings& c) { return run_call(c, std::cout, std::cerr); });
      }
      case options::command::inspect: {
        auto s = resolve_inspect(opt, env);
        if (!s) return vmterm::config::refuse("vmterm-worker", s.error());
        return with_logging<inspect_settings>(
            s, [](const inspect_settings& c) { return run_inspect(c, std::cout, std::cerr); });
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "vmterm-worker: internal error: " << e.what() << '\n';
    return vmterm::to_int(vmterm::exit_code::internal);
  }
  return vmterm::to_int(vmterm::exit_code::internal);
}
