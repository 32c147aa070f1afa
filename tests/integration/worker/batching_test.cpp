// vmterm-worker's Redis work comes in batches: a finished task frees its place at once, so acks
// of many tasks go in one script call or MULTI (not one per task), and at SIGTERM held ETA messages
// go back a batch at a time (one HMGET and one RPUSH per 1,000, not a command each). Counted with
// redis-server's own INFO commandstats.
#include <signal.h>

#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "worker_fixture.hpp"

using namespace vmterm::test;
using namespace std::chrono_literals;

namespace {

/// Calls of `command` since the last CONFIG RESETSTAT (0 when never called).
long calls(worker_world& w, const std::string& command) {
  const auto stats = w.redis_cli({"INFO", "commandstats"}).out;
  const auto at = stats.find("cmdstat_" + command + ":calls=");
  return at == std::string::npos ? 0 : std::stol(stats.substr(at + command.size() + 15));
}

std::string bulk_file(worker_world& w, int n) {
  std::string lines;
  for (int i = 0; i < n; ++i) lines += "[]\n";
  const auto path = w.dir() / "bulk.jsonl";
  write_file(path, lines);
  return path.string();
}

bool wait_for(const std::function<bool()>& cond, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (cond()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return cond();
}

}  // namespace

TEST_CASE("acks of many finished tasks go in one batch, even with one task at a time",
          "[integration][worker]") {
  worker_world w;
  const int n = 300;
  // The result backend on the broker's server (the fixture's /0 and /1): acks ride in the
  // store-and-ack script (one HDEL for a batch). Named differently (localhost), it counts as
  // another server: acks go in a MULTI of their own.
  const bool one_server = GENERATE(true, false);
  INFO("one server: " << one_server);
  std::vector<std::string> args{"-c", "1", "--prefetch", "400"};
  if (!one_server) {
    auto other = w.backend();
    other.replace(other.find("127.0.0.1"), 9, "localhost");
    args.insert(args.end(), {"--result-backend", other});
  }
  REQUIRE(w.call({"noop", "--ignore-result", "--bulk", bulk_file(w, n)}).exit_code == 0);
  w.redis_cli({"CONFIG", "RESETSTAT"});
  auto& p = w.start_worker(args);
  INFO("worker log:\n" << w.worker_log());
  REQUIRE(wait_for(
      [&] {
        return w.redis_cli({"LLEN", "celery"}).out == "0\n" &&
               w.redis_cli({"HLEN", "unacked"}).out == "0\n";
      },
      60s));
  // A place held until the task's ack was written made every ack a batch of one: n HDELs.
  // How many acks share one depends on how many tasks finish during a round trip, so on the
  // build's speed (89 MULTIs for 300 tasks in one ASan run): the bound only says "batched",
  // well below one per task.
  CHECK(calls(w, "hdel") < n * 2 / 3);
  CHECK(calls(w, "hdel") >= 1);
  if (one_server) {
    CHECK(calls(w, "exec") == 0);
  } else {
    CHECK(calls(w, "exec") == calls(w, "hdel"));
  }
  p.signal(SIGTERM);
  CHECK(wait_for([&] { return !p.running(); }, 20s));
  CHECK(p.exit_code() == 0);
}

TEST_CASE("SIGTERM gives held ETA messages back a batch at a time", "[integration][worker]") {
  worker_world w;
  const int n = 2500;
  REQUIRE(w.call({"noop", "--ignore-result", "--countdown", "1h", "--bulk", bulk_file(w, n)})
              .exit_code == 0);
  auto& p = w.start_worker({"-c", "2"});
  INFO("worker log:\n" << w.worker_log());
  REQUIRE(wait_for(
      [&] {
        return w.redis_cli({"LLEN", "celery"}).out == "0\n" &&
               w.redis_cli({"HLEN", "unacked"}).out == std::to_string(n) + "\n";
      },
      60s));
  w.redis_cli({"CONFIG", "RESETSTAT"});
  p.signal(SIGTERM);
  REQUIRE(wait_for([&] { return !p.running(); }, 60s));
  CHECK(p.exit_code() == 0);
  CHECK(w.redis_cli({"LLEN", "celery"}).out == std::to_string(n) + "\n");
  CHECK(w.redis_cli({"HLEN", "unacked"}).out == "0\n");
  CHECK(w.redis_cli({"ZCARD", "unacked_index"}).out == "0\n");
  // 1,000 a batch: three HMGETs and three RPUSHes (one per restore call), not one per message
  CHECK(calls(w, "hmget") == 3);
  CHECK(calls(w, "rpush") == 3);
  CHECK(calls(w, "hdel") == 3);
}
