// OTLP export throughput to a real receiver on loopback, in spans per second (items_per_second):
// the exporter's whole path (encode, send, wait for the answer) for batches of 512 realistic
// spans over HTTP/JSON, HTTP/protobuf (to the scripted HTTP server of tests/support, answering
// 200) and gRPC (to a grpc++ generic service answering OK), all three in one run.
#include <benchmark/benchmark.h>

#include "http_test_server.hpp"
#include "realistic_batch.hpp"
#include "trace_otlp/otlp_http_exporter.hpp"
#ifdef VMTERM_BENCH_GRPC
#include "otlp_grpc_receiver.hpp"
#endif

namespace {

using namespace vmterm;
using trace_otlp::otlp_protocol;

void run_exports(benchmark::State& state, trace_otlp::otlp_http_options options) {
  const auto spans = bench::realistic_batch(static_cast<std::size_t>(state.range(0)));
  trace_otlp::otlp_http_exporter exporter(std::move(options));
  for (auto _ : state) {
    if (exporter.export_spans(spans) != trace::export_result::success) {
      state.SkipWithError("export failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void bm_otlp_export_http(benchmark::State& state, otlp_protocol protocol) {
  test::http_test_server receiver;
  receiver.set_fallback({.status = 200, .headers = {}, .body = "", .delay = {}, .close = false});
  trace_otlp::otlp_http_options o;
  o.url = receiver.url("/v1/traces");
  o.protocol = protocol;
  run_exports(state, std::move(o));
}
BENCHMARK_CAPTURE(bm_otlp_export_http, json, otlp_protocol::http_json)->Arg(512)->UseRealTime();
BENCHMARK_CAPTURE(bm_otlp_export_http, protobuf, otlp_protocol::http_protobuf)
    ->Arg(512)
    ->UseRealTime();

#ifdef VMTERM_BENCH_GRPC
void bm_otlp_export_grpc(benchmark::State& state) {
  test::otlp_grpc_receiver receiver(
      {.record = false, .accept_gzip = true, .tls_cert = {}, .tls_key = {}});
  trace_otlp::otlp_http_options o;
  o.url = receiver.url();
  o.protocol = otlp_protocol::grpc;
  run_exports(state, std::move(o));
}
BENCHMARK(bm_otlp_export_grpc)->Arg(512)->UseRealTime();
#endif

}  // namespace
