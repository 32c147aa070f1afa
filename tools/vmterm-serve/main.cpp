// vmterm-serve: a terminal in the browser (xterm.js over a WebSocket) for a local shell, with a
// login token, health and readiness endpoints, Prometheus metrics and tracing. See
// vmterm-serve(1).
#include <chrono>
#include <exception>
#include <iostream>

#include "app.hpp"
#include "core/config.hpp"
#include "core/exit_code.hpp"
#include "core/flags.hpp"
#include "core/log.hpp"
#include "http/auth.hpp"
#include "options.hpp"
#include "settings.hpp"
#include "trace_otlp/install_from_env.hpp"

namespace {
/// How long exporting the last spans may hold the exit.
constexpr std::chrono::milliseconds exit_flush_bound{1000};
}  // namespace

int main(int argc, char** argv) {
  vmterm::serve::options opt;
  if (auto code = vmterm::serve::parse_command_line(argc, argv, opt)) return *code;
  auto settings =
      vmterm::serve::resolve(opt, vmterm::config::process_env(), &vmterm::http::generate_token);
  if (!settings) return vmterm::config::refuse("vmterm-serve", settings.error());
  vmterm::log::configure({.service = "vmterm-serve",
                          .min_level = settings->log_level,
                          .line_format = settings->log_format});
  // Flushed when it goes out of scope, after run() returned from a graceful stop.
  auto tracing = vmterm::trace_otlp::install_from_env("vmterm-serve");
  int code = vmterm::to_int(vmterm::exit_code::internal);
  try {
    code = vmterm::serve::run(*settings, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "vmterm-serve: internal error: " << e.what() << '\n';
  }
  // Spans still queued get one try, not the retries that kept an exit waiting for an absent
  // collector for seconds; what is lost is said once.
  if (const auto lost = tracing.shutdown_within(exit_flush_bound); lost > 0) {
    vmterm::log::warn(
        "tracing: spans not exported at exit were dropped (the exporter did not "
        "take them within 1 s)",
        {{"dropped_spans", lost}});
  }
  return code;
}
