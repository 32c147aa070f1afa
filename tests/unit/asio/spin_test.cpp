// asio::run_spinning runs an io_context as run() does (every handler, returns when out of work
// or stopped), with the polling before it blocks. No wall-clock assertions (TSan runs these);
// whether the loop polled or blocked is read from the thread's own CPU time, with wide margins.
#include "asio/spin.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>
#include <ctime>
#include <thread>

namespace net = boost::asio;
using vmterm::asio::run_spinning;
namespace spin = vmterm::asio;
using namespace std::chrono_literals;

TEST_CASE("run_spinning runs every handler and returns when the work is done", "[asio]") {
  for (const auto spin : {0us, 200us}) {
    INFO(spin.count());
    net::io_context ioc(1);
    int ran = 0;
    net::steady_timer timer(ioc);
    net::post(ioc, [&] {
      ++ran;
      // after the spin window has passed: the loop must block, then wake for it
      timer.expires_after(5ms);
      timer.async_wait([&](boost::system::error_code ec) {
        if (!ec) ++ran;
        net::post(ioc, [&] { ++ran; });
      });
    });
    CHECK(run_spinning(ioc, spin) == 3);
    CHECK(ran == 3);
    CHECK(ioc.stopped());
  }
}

TEST_CASE("run_spinning returns when the io_context is stopped", "[asio]") {
  net::io_context ioc(1);
  auto guard = net::make_work_guard(ioc);  // never out of work: only stop() ends it
  net::post(ioc, [&] { ioc.stop(); });
  CHECK(run_spinning(ioc, 1000us) == 1);
}

TEST_CASE("run_spinning runs a handler another thread posts while it spins or blocks", "[asio]") {
  net::io_context ioc(2);
  auto guard = net::make_work_guard(ioc);
  bool ran = false;
  std::thread other([&] {
    std::this_thread::sleep_for(2ms);  // whether it is spinning or blocked then, it must wake
    net::post(ioc, [&] {
      ran = true;
      guard.reset();
    });
  });
  run_spinning(ioc, 500us);
  other.join();
  CHECK(ran);
}

namespace {

std::chrono::microseconds thread_cpu() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::duration_cast<std::chrono::microseconds>(
                                               std::chrono::nanoseconds(ts.tv_nsec));
}

/// Runs a loop (no spin after work) in which the first handler awaits an answer for `within`,
/// then, if `answer`, says it has come; a timer 60 ms later ends the loop. Returns the loop
/// thread's CPU time: about `within` if it polled, next to nothing if it blocked.
std::chrono::microseconds cpu_of_a_wait(std::chrono::microseconds within, bool answer) {
  net::io_context ioc(1);
  net::steady_timer timer(ioc);
  int ran = 0;
  net::post(ioc, [&] {
    ++ran;
    spin::await_answer(within);
    if (answer) net::post(ioc, [&] { ++ran, spin::answered(); });
    timer.expires_after(60ms);
    timer.async_wait([&](boost::system::error_code) { ++ran; });
  });
  const auto before = thread_cpu();
  const auto handlers = run_spinning(ioc, 0us);
  const auto used = thread_cpu() - before;
  CHECK(handlers == (answer ? 3u : 2u));
  CHECK(ran == static_cast<int>(handlers));
  return used;
}

}  // namespace

TEST_CASE("an awaited answer keeps the loop polling until it comes or is overdue", "[asio]") {
  // Awaited for 40 ms and never answered: the loop polls those 40 ms (yielding: a busy machine
  // may give it less than all of them), then blocks for the rest of the 60.
  const auto polled = cpu_of_a_wait(40ms, false);
  CHECK(polled > 2ms);
  // Answered at once: it blocks, as ioc.run() does, for the 60 ms.
  const auto blocked = cpu_of_a_wait(40ms, true);
  CHECK(blocked < 2ms);
  // Nothing awaited (0 does nothing): it blocks.
  CHECK(cpu_of_a_wait(0us, false) < 2ms);
}

TEST_CASE("an answer awaited outside run_spinning does not leak into the next loop", "[asio]") {
  spin::await_answer(10s);  // no loop reads it; the next run_spinning starts afresh
  net::io_context ioc(1);
  net::steady_timer timer(ioc);
  timer.expires_after(30ms);
  timer.async_wait([](boost::system::error_code) {});
  const auto before = thread_cpu();
  CHECK(run_spinning(ioc, 0us) == 1);
  CHECK(thread_cpu() - before < 2ms);
}
