/// Hot-path costs of lib/metrics: counter increments and histogram observations (one thread
/// and two threads on the same child) and the exposition of a 100-series registry.
/// Run: build-metrics/bench/bench_metrics --benchmark_repetitions=10
///      --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include "metrics/registry.hpp"

using namespace vmterm::metrics;

namespace {

registry& shared_registry() {
  static registry reg;
  return reg;
}

void counter_inc(benchmark::State& state) {
  static counter& c =
      shared_registry().add_counter("bench_ops_total", "Ops.", {"kind"}).labels("inc");
  for (auto _ : state) c.inc();
  benchmark::DoNotOptimize(c.value());
}
BENCHMARK(counter_inc)->Threads(1)->Threads(2);

void counter_inc_fraction(benchmark::State& state) {
  static counter& c =
      shared_registry().add_counter("bench_ops_total", "Ops.", {"kind"}).labels("fraction");
  for (auto _ : state) c.inc(0.5);
  benchmark::DoNotOptimize(c.value());
}
BENCHMARK(counter_inc_fraction)->Threads(1)->Threads(2);

void counter_label_lookup(benchmark::State& state) {
  auto& f = shared_registry().add_counter("bench_ops_total", "Ops.", {"kind"});
  for (auto _ : state) f.labels("lookup").inc();
}
BENCHMARK(counter_label_lookup);

void histogram_observe(benchmark::State& state) {
  static histogram& h =
      shared_registry()
          .add_histogram("bench_op_seconds", "Op latency.", {}, buckets::http_duration_seconds())
          .labels();
  double v = 0.0001;
  for (auto _ : state) {
    h.observe(v);
    v = v < 20 ? v * 1.7 : 0.0001;  // walk across the buckets
  }
}
BENCHMARK(histogram_observe)->Threads(1)->Threads(2);

void expose_100_series(benchmark::State& state) {
  registry reg;
  auto& requests = reg.add_counter("http_requests_total", "Requests.", {"method", "code"});
  auto& latency = reg.add_histogram("http_request_duration_seconds", "Latency.", {"route"},
                                    buckets::http_duration_seconds());
  auto& sessions = reg.add_gauge("sessions", "Sessions.", {"backend"});
  int series = 0;
  for (const char* m : {"GET", "POST", "PUT", "DELETE", "PATCH"}) {
    for (int code = 200; code < 216; ++code) {
      requests.labels(m, std::to_string(code)).inc(code);
      ++series;
    }
  }
  for (int r = 0; r < 4; ++r) latency.labels("/route" + std::to_string(r)).observe(0.2 * r);
  series += 4;
  for (int b = 0; series < 100; ++b, ++series) sessions.labels("b" + std::to_string(b)).set(b);
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string text = reg.expose();
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(expose_100_series);

}  // namespace
