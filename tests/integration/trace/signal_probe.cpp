// Ends one span named by argv[1], prints "ready", then either returns ("exit") or waits to be
// interrupted ("wait"). Tracing comes from the environment (the test sets a file exporter).
#include <chrono>
#include <cstdio>
#include <memory>
#include <string_view>
#include <thread>

#include "trace/provider.hpp"
#include "trace/termination_signals.hpp"
#include "trace/tracer.hpp"
#include "trace_otlp/install_from_env.hpp"

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  vmterm::trace::termination_signals signals;
  auto tracing = std::make_shared<vmterm::trace::installation>(
      vmterm::trace_otlp::install_from_env("trace-signal-probe"));
  signals.on_signal([tracing] { tracing->shutdown(); });
  { auto span = vmterm::trace::get_tracer("probe").start_span(argv[1]); }
  std::puts("ready");
  std::fflush(stdout);
  if (std::string_view(argv[2]) == "wait") std::this_thread::sleep_for(std::chrono::seconds(30));
  return 0;
}
