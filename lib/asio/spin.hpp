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

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>

namespace vmterm::asio {

/// Runs `ioc` like ioc.run() (until it is stopped or out of work; returns the handlers run),
/// but when no handler is ready it polls for up to `spin` since the last handler before it
/// blocks. While polling it yields the CPU (sched_yield) to any other thread that is ready
/// to run on it, so a spinning loop does not hold back the process it waits for when both
/// share a vCPU. `spin` <= 0 is ioc.run(). Same threading as run(): call it from one thread.
std::size_t run_spinning(boost::asio::io_context& ioc, std::chrono::microseconds spin);

}  // namespace vmterm::asio
