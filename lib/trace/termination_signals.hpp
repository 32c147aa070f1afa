#pragma once
/// Flushing telemetry when a command-line program is interrupted. SIGINT and SIGTERM are
/// blocked in the thread that constructs this object (and so in every thread it starts
/// afterwards, the batch exporter's included) and waited for by one watcher thread, which calls
/// the handler (e.g. installation::shutdown, which exports what is queued) and then ends the
/// process as the signal would have (exit status 128+N).
///
/// For foreground programs without an event loop (vmterm-trace, vmterm-health); programs that
/// run Asio take these signals with a signal_set and shut down gracefully instead.
/// Construct it first in main, before any thread starts.

#include <functional>
#include <memory>

namespace vmterm::trace {

class termination_signals {
 public:
  termination_signals();
  /// After this, a signal no longer calls the handler (it ends the process at once).
  ~termination_signals();
  termination_signals(const termination_signals&) = delete;
  termination_signals& operator=(const termination_signals&) = delete;

  /// What to run on SIGINT/SIGTERM before the process ends; replaces any earlier handler.
  /// Runs on the watcher thread; must not throw.
  void on_signal(std::function<void()> handler);

  struct state;

 private:
  std::shared_ptr<state> state_;
};

}  // namespace vmterm::trace
