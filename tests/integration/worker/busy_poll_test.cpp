// --busy-poll (asio::run_spinning) changes when the loops block, nothing else: a polling worker
// and a polling `call --wait` give the same results, an idle polling worker settles into its
// blocking wait (it does not spin on), and SIGTERM still ends it at once.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>

#include "worker_fixture.hpp"

using namespace vmterm::test;
using namespace std::chrono_literals;

namespace {

/// CPU seconds (user + system) the process has used so far.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i >= 14) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace

TEST_CASE("a busy-polling worker and call --wait run tasks as blocking ones do, and stop at once",
          "[integration][worker]") {
  worker_world w;
  auto& p = w.start_worker({"--busy-poll", "2ms"});
  for (int i = 0; i < 20; ++i) {
    const auto r = w.call({"echo", "--args", "[" + std::to_string(i) + "]", "--wait", "--busy-poll",
                           i % 2 == 0 ? "1ms" : "0"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(chomp(r.out) == "[" + std::to_string(i) + "]");
  }
  // Idle: a lease renewal a second and its replies, each followed by at most 2 ms of polling,
  // not a core spinning. A generous bound (a spinning loop would use ~1 s per second).
  std::this_thread::sleep_for(300ms);
  const double before = cpu_seconds(p.pid());
  std::this_thread::sleep_for(2s);
  CHECK(cpu_seconds(p.pid()) - before < 0.5);
  const auto took = terminate_and_wait(p);
  INFO("worker log:\n" << w.worker_log());
  CHECK(p.exit_code() == 0);
  CHECK(took < 3s);
}
