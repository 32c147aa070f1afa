// Span start+end through the batch processor (sampled, with an exporter that discards) and
// unsampled; the sampled loop on 2 threads; traceparent parse and format. Targets on the 2-core
// machine: sampled <= 150 ns, unsampled <= 15 ns, parse <= 50 ns.

#include <benchmark/benchmark.h>

#include "trace/batch_processor.hpp"
#include "trace/propagation.hpp"
#include "trace/tracer.hpp"

namespace {

using namespace vmterm::trace;

/// Reads the batch in place (export_records), as opentelemetry-cpp's exporters get theirs: a
/// span of pointers. otel_span_bench (../shared/peers) has the same discarding exporter.
class discard_exporter final : public exporter {
 public:
  export_result export_spans(std::span<const span_data> spans) noexcept override {
    benchmark::DoNotOptimize(spans.size());
    return export_result::success;
  }
  std::optional<export_result> export_records(
      std::span<const span_data* const> spans) noexcept override {
    benchmark::DoNotOptimize(spans.size());
    return export_result::success;
  }
};

/// Implements export_spans only (as lib/trace_otlp's exporters did): the processor moves each
/// batch into contiguous span_data and back.
class discard_contiguous_exporter final : public exporter {
 public:
  export_result export_spans(std::span<const span_data> spans) noexcept override {
    benchmark::DoNotOptimize(spans.size());
    return export_result::success;
  }
};

template <class Exporter = discard_exporter>
std::shared_ptr<tracer_provider> make_provider(std::unique_ptr<sampler> s) {
  tracer_provider_options o;
  batch_options b;
  b.max_queue_size = 1 << 16;  // the benchmark measures the caller, not drops
  o.processor = std::make_unique<batch_processor>(std::make_unique<Exporter>(), b);
  o.sampler = std::move(s);
  return std::make_shared<tracer_provider>(std::move(o));
}

void run_spans(benchmark::State& state, const tracer& t) {
  for (auto _ : state) {
    auto s = t.start_span("GET /health-check/", span_kind::server);
    s.set_attribute("http.request.method", "GET");
    s.set_attribute("url.path", "/health-check/");
    s.set_attribute("http.response.status_code", 200);
    s.set_attribute("server.port", 8000);
    benchmark::DoNotOptimize(s.context());
  }
}

void BM_span_sampled_batch(benchmark::State& state) {
  auto p = make_provider(std::make_unique<always_on_sampler>());
  run_spans(state, p->get_tracer("bench"));
  p->shutdown();
}
BENCHMARK(BM_span_sampled_batch);

void BM_span_sampled_batch_contiguous(benchmark::State& state) {
  auto p = make_provider<discard_contiguous_exporter>(std::make_unique<always_on_sampler>());
  run_spans(state, p->get_tracer("bench"));
  p->shutdown();
}
BENCHMARK(BM_span_sampled_batch_contiguous);

// The sampled loop on 2 threads sharing one provider: shows contention on the queue mutex,
// the record pool and the tracer's shared_ptr refcount. Per-thread time is what a caller sees.
std::shared_ptr<tracer_provider> g_shared;  // set up and torn down outside the timed threads

void setup_shared(const benchmark::State&) {
  g_shared = make_provider(std::make_unique<always_on_sampler>());
}
void teardown_shared(const benchmark::State&) {
  g_shared->shutdown();
  g_shared.reset();
}

void BM_span_sampled_batch_2threads(benchmark::State& state) {
  run_spans(state, g_shared->get_tracer("bench"));
}
BENCHMARK(BM_span_sampled_batch_2threads)
    ->Threads(2)
    ->Setup(setup_shared)
    ->Teardown(teardown_shared)
    ->UseRealTime();

// The same 2 threads with nothing of the pipeline shared: each its own provider, processor and
// export thread. What 2 threads cost over 1 here is the machine's (the export threads taking
// turns on the 2 vCPUs with the span threads, each span thread's records), not contention:
// the floor for BM_span_sampled_batch_2threads's ratio.
void BM_span_sampled_batch_2threads_unshared(benchmark::State& state) {
  auto p = make_provider(std::make_unique<always_on_sampler>());
  run_spans(state, p->get_tracer("bench"));
  p->shutdown();
}
BENCHMARK(BM_span_sampled_batch_2threads_unshared)->Threads(2)->UseRealTime();

void BM_span_unsampled(benchmark::State& state) {
  auto p = make_provider(std::make_unique<always_off_sampler>());
  run_spans(state, p->get_tracer("bench"));
  p->shutdown();
}
BENCHMARK(BM_span_unsampled);

void BM_traceparent_parse(benchmark::State& state) {
  const std::string_view tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  for (auto _ : state) {
    auto ctx = parse_traceparent(tp);
    benchmark::DoNotOptimize(ctx);
  }
}
BENCHMARK(BM_traceparent_parse);

void BM_traceparent_format(benchmark::State& state) {
  auto ctx = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  std::array<char, traceparent_size> buf{};
  for (auto _ : state) {
    format_traceparent(*ctx, buf);
    benchmark::DoNotOptimize(buf);
  }
}
BENCHMARK(BM_traceparent_format);

void BM_traceparent_format_string(benchmark::State& state) {
  auto ctx = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  for (auto _ : state) {
    auto s = format_traceparent(*ctx);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_traceparent_format_string);

}  // namespace
