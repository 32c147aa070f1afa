// vmterm-serve: a terminal in the browser (xterm.js over a WebSocket) for a local shell, with a
// login token, health and readiness endpoints, Prometheus metrics and tracing. See
// vmterm-serve(1).
#include <CLI/CLI.hpp>
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

int main(int argc, char** argv) {
  vmterm::serve::options opt;
  CLI::App app{
      "vmterm-serve: a terminal in the browser for a local shell or an SSH server, behind a "
      "login token"};
  app.name("vmterm-serve");
  vmterm::serve::add_flags(app, opt);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return vmterm::config::usage_error(app, e, "vmterm-serve");
  }
  auto settings =
      vmterm::serve::resolve(opt, vmterm::config::process_env(), &vmterm::http::generate_token);
  if (!settings) {
    std::cerr << "vmterm-serve: " << settings.error().message << '\n';
    return vmterm::to_int(vmterm::exit_code::usage);
  }
  vmterm::log::configure({.service = "vmterm-serve",
                          .min_level = settings->log_level,
                          .line_format = settings->log_format});
  // Flushed when it goes out of scope, after run() returned from a graceful stop.
  auto tracing = vmterm::trace_otlp::install_from_env("vmterm-serve");
  try {
    return vmterm::serve::run(*settings, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "vmterm-serve: internal error: " << e.what() << '\n';
    return vmterm::to_int(vmterm::exit_code::internal);
  }
}
