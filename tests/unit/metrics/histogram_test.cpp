#include <catch2/catch.hpp>
#include <cmath>

#include "metrics/registry.hpp"

using namespace vmterm::metrics;

TEST_CASE("histograms expose cumulative buckets with +Inf, then _sum and _count", "[metrics]") {
  registry reg;
  auto& f = reg.add_histogram("rpc_duration_seconds", "RPC latency.", {"method"}, {0.1, 0.5, 1});
  auto& h = f.labels("say\"hi\"");
  h.observe(0.1);  // le is inclusive
  h.observe(0.3);
  h.observe(0.3);
  h.observe(2);
  CHECK(reg.expose() ==
        "# HELP rpc_duration_seconds RPC latency.\n"
        "# TYPE rpc_duration_seconds histogram\n"
        "rpc_duration_seconds_bucket{method=\"say\\\"hi\\\"\",le=\"0.1\"} 1\n"
        "rpc_duration_seconds_bucket{method=\"say\\\"hi\\\"\",le=\"0.5\"} 3\n"
        "rpc_duration_seconds_bucket{method=\"say\\\"hi\\\"\",le=\"1\"} 3\n"
        "rpc_duration_seconds_bucket{method=\"say\\\"hi\\\"\",le=\"+Inf\"} 4\n"
        "rpc_duration_seconds_sum{method=\"say\\\"hi\\\"\"} 2.7\n"
        "rpc_duration_seconds_count{method=\"say\\\"hi\\\"\"} 4\n");
}

TEST_CASE("default buckets are Prometheus's; the HTTP set follows OpenTelemetry", "[metrics]") {
  CHECK(buckets::prometheus_default() ==
        std::vector<double>{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10});
  CHECK(buckets::http_duration_seconds() ==
        std::vector<double>{.005, .01, .025, .05, .075, .1, .25, .5, .75, 1, 2.5, 5, 7.5, 10});
  CHECK(buckets::linear(1, 2, 3) == std::vector<double>{1, 3, 5});
  CHECK(buckets::exponential(1, 10, 3) == std::vector<double>{1, 10, 100});
  registry reg;
  auto& h = reg.add_histogram("d_seconds", "D.").labels();
  h.observe(0.007);
  const auto t = h.read();
  CHECK(t.cumulative.size() == 12);
  CHECK(t.cumulative[0] == 0);
  CHECK(t.cumulative[1] == 1);
  CHECK(t.count == 1);
}

TEST_CASE("NaN lands only in the +Inf bucket", "[metrics]") {
  registry reg;
  auto& h = reg.add_histogram("n_seconds", "N.", {}, {1}).labels();
  h.observe(std::nan(""));
  const auto t = h.read();
  CHECK(t.cumulative == std::vector<std::uint64_t>{0, 1});
}

TEST_CASE("bad bucket bounds are refused by name", "[metrics]") {
  registry reg;
  CHECK_THROWS_WITH(reg.add_histogram("h_seconds", "H.", {}, {1, 0.5}),
                    "histogram 'h_seconds': bucket bounds must increase strictly; 0.5 follows 1");
  CHECK_THROWS_WITH(reg.add_histogram("h_seconds", "H.", {}, {1, std::nan("")}),
                    "histogram 'h_seconds': bucket bound NaN is not a number");
  CHECK_THROWS_WITH(reg.add_histogram("h_seconds", "H.", {"le"}),
                    "invalid label name 'le' for metric 'h_seconds': reserved for histogram "
                    "buckets");
  auto& ok = reg.add_histogram("i_seconds", "I.", {}, {1, HUGE_VAL});
  CHECK(ok.bounds() == std::vector<double>{1});
}
