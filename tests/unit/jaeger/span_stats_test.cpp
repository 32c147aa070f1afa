#include "jaeger/span_stats.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "sample_trace.hpp"

namespace vmterm::jaeger {
using namespace test;

TEST_CASE("Percentiles use the nearest rank", "[jaeger]") {
  std::vector<std::uint64_t> v(100);
  for (std::uint64_t i = 0; i < 100; ++i) v[i] = i + 1;
  CHECK(percentile(v, 50) == 50);
  CHECK(percentile(v, 95) == 95);
  CHECK(percentile(v, 99) == 99);
  CHECK(percentile(v, 100) == 100);
  CHECK(percentile({7}, 99) == 7);
  CHECK(percentile({1, 2, 3, 4}, 50) == 2);
  CHECK(percentile({1, 2, 3, 4}, 95) == 4);
  CHECK(percentile({}, 50) == 0);
}

TEST_CASE("Stats group spans by service and operation over many traces", "[jaeger]") {
  std::vector<trace_tree> trees;
  for (std::uint64_t i = 1; i <= 20; ++i) {
    auto root = span("r", "", "GET /", 0, 1000 * i, "web");
    root.trace.bytes[0] = static_cast<std::uint8_t>(i);
    auto child = span("c", "r", "query", 0, 100 * i, "db");
    child.trace = root.trace;
    if (i % 5 == 0) child.status.code = trace::status_code::error;
    trees.push_back(build_tree({root, child}));
  }
  const auto stats = compute_stats(trees);
  REQUIRE(stats.size() == 2);
  CHECK(stats[0].service == "db");
  CHECK(stats[0].operation == "query");
  CHECK(stats[0].count == 20);
  CHECK(stats[0].error_count == 4);
  CHECK(stats[0].p50_ns == 1'000'000);  // 10th of 100µs..2ms
  CHECK(stats[0].p95_ns == 1'900'000);
  CHECK(stats[0].p99_ns == 2'000'000);
  CHECK(stats[0].max_ns == 2'000'000);
  CHECK(stats[0].self_time_ns == 21'000'000);  // 100µs * (1 + ... + 20)
  CHECK(stats[1].service == "web");
  CHECK(stats[1].self_time_ns == 189'000'000);  // 900µs * 210

  CHECK(render_stats_table(stats, false) ==
        "SERVICE  OPERATION  COUNT  ERRORS   P50    P95   P99   MAX   SELF\n"
        "db       query         20       4   1ms  1.9ms   2ms   2ms   21ms\n"
        "web      GET /         20       0  10ms   19ms  20ms  20ms  189ms\n");
  const auto j = nlohmann::json::parse(render_stats_json(stats));
  REQUIRE(j.size() == 2);
  CHECK(j[1] == nlohmann::json{{"service", "web"},
                               {"operation", "GET /"},
                               {"count", 20},
                               {"error_count", 0},
                               {"p50_ns", 10'000'000},
                               {"p95_ns", 19'000'000},
                               {"p99_ns", 20'000'000},
                               {"max_ns", 20'000'000},
                               {"self_time_ns", 189'000'000}});
}

}  // namespace vmterm::jaeger
