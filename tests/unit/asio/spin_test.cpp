// asio::run_spinning runs an io_context as run() does (every handler, returns when out of work
// or stopped), with the polling before it blocks. No timing assertions (TSan runs these).
#include "asio/spin.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>
#include <thread>

namespace net = boost::asio;
using vmterm::asio::run_spinning;
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
