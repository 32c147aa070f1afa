// A fixed-iteration driver for `valgrind --tool=callgrind` (instruction counts are repeatable
// on a loaded machine, wall time is not). Usage: trace_callgrind <sampled|unsampled|parse> <n>.
// Per-operation cost = (Ir at n2 - Ir at n1) / (n2 - n1), which cancels setup and teardown;
// collect only run_spans/run_parse (--toggle-collect) for the caller's share.

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "trace/batch_processor.hpp"
#include "trace/propagation.hpp"
#include "trace/tracer.hpp"

namespace {

using namespace vmterm::trace;

class discard_exporter final : public exporter {
 public:
  export_result export_spans(std::span<const span_data> spans) noexcept override {
    sink_ += spans.size();
    return export_result::success;
  }
  std::size_t sink_ = 0;
};

volatile std::uint8_t g_sink = 0;

[[gnu::noinline]] void run_spans(const tracer& t, long n) {
  for (long i = 0; i < n; ++i) {
    auto s = t.start_span("GET /health-check/", span_kind::server);
    s.set_attribute("http.request.method", "GET");
    s.set_attribute("url.path", "/health-check/");
    s.set_attribute("http.response.status_code", 200);
    s.set_attribute("server.port", 8000);
    g_sink = s.context().span.bytes[0];
  }
}

[[gnu::noinline]] void warm_up(const tracer& t, long n) {
  for (long i = 0; i < n; ++i) {
    auto s = t.start_span("GET /health-check/", span_kind::server);
    s.set_attribute("http.request.method", "GET");
    s.set_attribute("url.path", "/health-check/");
    s.set_attribute("http.response.status_code", 200);
    s.set_attribute("server.port", 8000);
  }
}

[[gnu::noinline]] void run_parse(long n) {
  const std::string_view tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  for (long i = 0; i < n; ++i) {
    auto ctx = parse_traceparent(tp);
    g_sink = ctx ? ctx->flags : 0;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: trace_callgrind <sampled|unsampled|parse> <n>\n");
    return 2;
  }
  const std::string_view what = argv[1];
  const long n = std::atol(argv[2]);
  if (what == "parse") {
    run_parse(n);
    return 0;
  }
  tracer_provider_options o;
  batch_options b;
  b.max_queue_size = 1 << 16;
  o.processor = std::make_unique<batch_processor>(std::make_unique<discard_exporter>(), b);
  if (what == "sampled") {
    o.sampler = std::make_unique<always_on_sampler>();
  } else {
    o.sampler = std::make_unique<always_off_sampler>();
  }
  tracer_provider p(std::move(o));
  const auto t = p.get_tracer("bench");
  // Warm up (records allocated, pooled and recycled once) outside the measured function.
  warm_up(t, 4096);
  (void)p.force_flush();
  run_spans(t, n);
  p.shutdown();
  return 0;
}
