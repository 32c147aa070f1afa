#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "metrics/registry.hpp"

using namespace vmterm::metrics;

TEST_CASE("concurrent updates from many threads add up exactly", "[metrics]") {
  registry reg;
  auto& counters = reg.add_counter("ops_total", "Ops.", {"kind"});
  auto& g = reg.add_gauge("level_ratio", "Level.").labels();
  auto& h = reg.add_histogram("op_seconds", "Op.", {}, {0.5}).labels();
  constexpr int threads = 8;
  constexpr int per_thread = 20000;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      // Label lookup races with other threads creating the same child.
      auto& c = counters.labels(t % 2 == 0 ? "even" : "odd");
      for (int i = 0; i < per_thread; ++i) {
        c.inc();
        c.inc(0.5);
        g.inc();
        h.observe(i % 2 == 0 ? 0.25 : 1.0);
      }
      (void)reg.expose();  // scrapes race with updates
    });
  }
  for (auto& th : pool) th.join();
  constexpr double half = threads / 2 * per_thread;
  CHECK(counters.labels("even").value() == half * 1.5);
  CHECK(counters.labels("odd").value() == half * 1.5);
  CHECK(g.value() == threads * per_thread);
  const auto t = h.read();
  CHECK(t.count == threads * per_thread);
  CHECK(t.cumulative[0] == threads * per_thread / 2);
  CHECK(t.sum == threads * per_thread / 2 * 1.25);
}
