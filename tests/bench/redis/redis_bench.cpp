// lib/redis against the redis-server fixture on loopback, beside redis-benchmark (the peer,
// hiredis-based C, same server, same run): SET commands per second one at a time (each waits
// for its reply) and pipelined (1,000 per batch: one pipeline(), or 1,000 exec() in flight).
//
//   build/bench/bench_redis --benchmark_repetitions=3
//
// The peer rows run `redis-benchmark -c 1 -n N -t set [-P 1000]` and report its requests/s as
// items/s (their iteration time is N / its rate). Both sides send SET with a 3-byte value.
// Rates are per wall-clock second (UseRealTime), as redis-benchmark reports them.

#include <benchmark/benchmark.h>

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "process.hpp"
#include "redis/connection.hpp"
#include "redis_server.hpp"

namespace {
using namespace vmterm;

test::redis_server& server() {
  static test::redis_server s;
  return s;
}

struct client {
  boost::asio::io_context ioc;
  std::shared_ptr<redis::connection> conn;

  client() {
    redis::connection_options o;
    o.url = *redis::parse_url(server().url());
    conn = redis::connection::create(ioc.get_executor(), o);
    bool ok = false;
    bool done = false;
    conn->async_connect([&](expected<void> r) {
      ok = r.has_value();
      done = true;
    });
    while (!done) ioc.run_one();
    if (!ok) throw std::runtime_error("bench_redis: cannot connect to the fixture");
  }
  void run_until(const bool& flag) {
    while (!flag) ioc.run_one();
  }
};

client& shared_client() {
  static client c;
  return c;
}

void BM_redis_set_one_at_a_time(benchmark::State& state) {
  auto& c = shared_client();
  std::int64_t errors = 0;
  for (auto _ : state) {
    bool done = false;
    c.conn->exec({"SET", "key:__rand_int__", "xxx"}, [&](expected<redis::reply> r) {
      if (!r) ++errors;
      done = true;
    });
    c.run_until(done);
  }
  if (errors > 0) state.SkipWithError("a SET failed");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_redis_set_one_at_a_time)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_redis_set_pipeline_1000(benchmark::State& state) {
  auto& c = shared_client();
  bool failed = false;
  for (auto _ : state) {
    std::vector<redis::command> batch;
    batch.reserve(1000);
    for (int i = 0; i < 1000; ++i) batch.push_back({"SET", "key:__rand_int__", "xxx"});
    bool done = false;
    c.conn->pipeline(std::move(batch), [&](expected<std::vector<redis::reply>> r) {
      failed = failed || !r || r->size() != 1000;
      done = true;
    });
    c.run_until(done);
  }
  if (failed) state.SkipWithError("a pipeline failed");
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_redis_set_pipeline_1000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_redis_set_1000_exec_in_flight(benchmark::State& state) {
  auto& c = shared_client();
  std::int64_t errors = 0;
  for (auto _ : state) {
    int left = 1000;
    bool done = false;
    for (int i = 0; i < 1000; ++i) {
      c.conn->exec({"SET", "key:__rand_int__", "xxx"}, [&](expected<redis::reply> r) {
        if (!r) ++errors;
        if (--left == 0) done = true;
      });
    }
    c.run_until(done);
  }
  if (errors > 0) state.SkipWithError("a SET failed");
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_redis_set_1000_exec_in_flight)->Unit(benchmark::kMillisecond)->UseRealTime();

/// redis-benchmark's requests per second for `n` SETs with pipeline depth `depth`.
std::optional<double> peer_rate(int n, int depth) {
  const auto r =
      test::run({"redis-benchmark", "-h", "127.0.0.1", "-p", std::to_string(server().port()), "-c",
                 "1", "-n", std::to_string(n), "-t", "set", "-P", std::to_string(depth), "--csv"});
  if (r.exit_code != 0) return std::nullopt;
  // --csv: a header line, then "SET","12345.67",...
  const auto pos = r.out.find("\"SET\",\"");
  if (pos == std::string::npos) return std::nullopt;
  return std::stod(r.out.substr(pos + 7));
}

void peer(benchmark::State& state, int depth) {
  const int n = static_cast<int>(state.range(0));
  for (auto _ : state) {
    const auto rate = peer_rate(n, depth);
    if (!rate || *rate <= 0) {
      state.SkipWithError("redis-benchmark failed (is it installed? Debian's redis-tools)");
      break;
    }
    state.SetIterationTime(n / *rate);
  }
  state.SetItemsProcessed(state.iterations() * n);
}

void BM_peer_redis_benchmark_c1(benchmark::State& state) { peer(state, 1); }
BENCHMARK(BM_peer_redis_benchmark_c1)->Arg(20000)->UseManualTime()->Iterations(1);

void BM_peer_redis_benchmark_c1_P1000(benchmark::State& state) { peer(state, 1000); }
BENCHMARK(BM_peer_redis_benchmark_c1_P1000)->Arg(200000)->UseManualTime()->Iterations(1);

}  // namespace
