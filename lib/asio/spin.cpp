#include "asio/spin.hpp"

#include <sched.h>

#include <algorithm>

namespace vmterm::asio {

namespace {

using clock = std::chrono::steady_clock;

/// When the answer this thread's handlers await is overdue; min(): none awaited.
thread_local clock::time_point answer_due = clock::time_point::min();

}  // namespace

void await_answer(std::chrono::microseconds within) noexcept {
  if (within.count() <= 0) return;
  answer_due = std::max(answer_due, clock::now() + within);
}

void answered() noexcept { answer_due = clock::time_point::min(); }

std::size_t run_spinning(boost::asio::io_context& ioc, std::chrono::microseconds spin) {
  const bool after_work = spin.count() > 0;
  std::size_t handlers = 0;
  auto last = after_work ? clock::now() : clock::time_point::min();
  answered();  // a deadline left by an earlier loop on this thread is not this one's
  while (!ioc.stopped()) {
    const auto until = std::max(after_work ? last + spin : clock::time_point::min(), answer_due);
    if (until != clock::time_point::min()) {
      // poll() runs what is ready, after one epoll_wait with no timeout when nothing is.
      if (const std::size_t n = ioc.poll(); n > 0) {
        handlers += n;
        if (after_work) last = clock::now();
        continue;
      }
      if (ioc.stopped()) break;  // out of work
      const auto now = clock::now();
      if (now < until) {
        ::sched_yield();
        continue;
      }
      if (answer_due <= now) answered();  // overdue: wait for it blocking
    }
    const std::size_t n = ioc.run_one();  // blocks until the next handler
    if (n == 0) break;                    // stopped, or out of work
    handlers += n;
    if (after_work) last = clock::now();
  }
  return handlers;
}

}  // namespace vmterm::asio
