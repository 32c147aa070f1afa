#include "asio/spin.hpp"

#include <sched.h>

namespace vmterm::asio {

std::size_t run_spinning(boost::asio::io_context& ioc, std::chrono::microseconds spin) {
  if (spin.count() <= 0) return ioc.run();
  using clock = std::chrono::steady_clock;
  std::size_t handlers = 0;
  auto last = clock::now();
  while (!ioc.stopped()) {
    // poll() runs what is ready, after one epoll_wait with no timeout when nothing is.
    if (const std::size_t n = ioc.poll(); n > 0) {
      handlers += n;
      last = clock::now();
      continue;
    }
    if (ioc.stopped()) break;  // out of work
    if (clock::now() - last < spin) {
      ::sched_yield();
      continue;
    }
    handlers += ioc.run_one();  // blocks until the next handler
    last = clock::now();
  }
  return handlers;
}

}  // namespace vmterm::asio
