#pragma once
/// Bounded busy-polling for a loop that waits for answers due within microseconds.
///
/// On a VM a thread that blocks lets its vCPU halt, and waking a halted vCPU (HLT, the
/// hypervisor, an IPI) costs far more than waking a thread on a CPU that is running. A loop
/// that, after its last handler, keeps polling its sockets for a short while (epoll_wait with
/// no timeout) before it blocks keeps its vCPU awake for an answer that comes within that
/// while. Linux's SO_BUSY_POLL / net.core.busy_read do the same in the kernel for NIC queues,
/// but nothing on loopback TCP, so it is done here, in user space. The cost is CPU: up to
/// `spin` of it after each burst of work, spent whether or not an answer comes.
///
/// A loop can also poll only when a handler says an answer is due: `await_answer()` after a
/// keystroke is written to a terminal, `answered()` when its echo is read. Then the loop
/// spins only between a request and its answer, never after output that answers nothing.

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>

namespace vmterm::asio {

/// Runs `ioc` like ioc.run() (until it is stopped or out of work; returns the handlers run),
/// but when no handler is ready it polls for up to `spin` since the last handler, or until
/// the answer a handler of this thread awaits (await_answer) has come or is overdue, before
/// it blocks. While polling it yields the CPU (sched_yield) to any other thread that is ready
/// to run on it, so a spinning loop does not hold back the process it waits for when both
/// share a vCPU. `spin` <= 0 with no answer awaited blocks as ioc.run() does. Same threading
/// as run(): call it from one thread.
std::size_t run_spinning(boost::asio::io_context& ioc, std::chrono::microseconds spin);

/// From a handler run by run_spinning: an answer is due within `within`, so the loop polls
/// rather than blocks until answered() or until `within` has passed (a later deadline wins
/// over an earlier one). Elsewhere (a thread that runs its loop with run()) it does nothing
/// but note a deadline that nothing reads. `within` <= 0 does nothing.
void await_answer(std::chrono::microseconds within) noexcept;

/// From a handler: what this thread awaited has come; its loop may block again.
void answered() noexcept;

}  // namespace vmterm::asio
