// OTLP JSON encoding and decoding throughput, in spans per second (items_per_second), for realistic
// spans: a server span with 8 attributes (strings and integers, as HTTP semantic conventions give)
// and one event, in batches of 512 (OTEL_BSP_MAX_EXPORT_BATCH_SIZE's default).
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "realistic_batch.hpp"
#include "trace_otlp/detail/otlp_json_stream.hpp"
#include "trace_otlp/otlp_json.hpp"
#include "trace_otlp/otlp_proto.hpp"

namespace {

using namespace vmterm;
using vmterm::bench::realistic_batch;

void bm_otlp_json_encode(benchmark::State& state) {
  const auto spans = realistic_batch(static_cast<std::size_t>(state.range(0)));
  std::string out;
  for (auto _ : state) {
    out.clear();
    trace_otlp::encode_request(spans, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(out.size()));
  state.counters["bytes_per_span"] =
      static_cast<double>(out.size()) / static_cast<double>(state.range(0));
}
BENCHMARK(bm_otlp_json_encode)->Arg(512);

// The same batch as protobuf (OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf): bytes_per_second over
// items_per_second is its size per span, to compare with JSON's.
void bm_otlp_proto_encode(benchmark::State& state) {
  const auto spans = realistic_batch(static_cast<std::size_t>(state.range(0)));
  std::string out;
  for (auto _ : state) {
    out.clear();
    trace_otlp::encode_request_proto(spans, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(out.size()));
  state.counters["bytes_per_span"] =
      static_cast<double>(out.size()) / static_cast<double>(state.range(0));
}
BENCHMARK(bm_otlp_proto_encode)->Arg(512);

void bm_otlp_json_decode(benchmark::State& state) {
  const auto text =
      trace_otlp::encode_request(realistic_batch(static_cast<std::size_t>(state.range(0))));
  for (auto _ : state) {
    auto spans = trace_otlp::decode_spans(text, "bench");
    benchmark::DoNotOptimize(spans);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(bm_otlp_json_decode)->Arg(512);

// The same through nlohmann's DOM alone, the decoder decode_spans used before it streamed (and
// still uses for what the streaming decoder declines): the before/after in one run.
void bm_otlp_json_decode_dom(benchmark::State& state) {
  const auto text =
      trace_otlp::encode_request(realistic_batch(static_cast<std::size_t>(state.range(0))));
  for (auto _ : state) {
    auto spans = trace_otlp::detail::decode_spans_dom(text, "bench");
    benchmark::DoNotOptimize(spans);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(bm_otlp_json_decode_dom)->Arg(512);

}  // namespace
