#include "trace/termination_signals.hpp"

#include <pthread.h>

#include <csignal>
#include <mutex>
#include <thread>

namespace vmterm::trace {

struct termination_signals::state {
  std::mutex mutex;
  std::function<void()> handler;  // empty once the owner is gone
};

namespace {

sigset_t termination_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

/// Waits for SIGINT/SIGTERM, runs the handler, then lets the signal take its default action.
/// The thread is detached: at a normal exit it is still waiting, and the process ends it.
void watch(std::shared_ptr<termination_signals::state> s) {
  const sigset_t set = termination_set();
  int sig = 0;
  if (sigwait(&set, &sig) != 0) return;
  {
    std::lock_guard lock(s->mutex);
    if (s->handler) s->handler();
  }
  std::signal(sig, SIG_DFL);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  std::raise(sig);  // delivered to this thread, where it is unblocked: the default action
}

}  // namespace

termination_signals::termination_signals() : state_(std::make_shared<state>()) {
  const sigset_t set = termination_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread(watch, state_).detach();
}

termination_signals::~termination_signals() {
  std::lock_guard lock(state_->mutex);
  state_->handler = nullptr;
  // Without a handler the watcher just re-raises: a late Ctrl-C still ends the program.
}

void termination_signals::on_signal(std::function<void()> handler) {
  std::lock_guard lock(state_->mutex);
  state_->handler = std::move(handler);
}

}  // namespace vmterm::trace
