// vmterm-trace's work on a generated 100,000-span trace: decode Jaeger v1 JSON, build the tree
// with self times and the critical path, render the tree with its waterfall, render JSON.
// Peak RSS (getrusage) is reported as a counter: the target is <= 1 s and <= 200 MB.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "jaeger/json_render.hpp"
#include "jaeger/span_tree.hpp"
#include "jaeger/tree_render.hpp"
#include "jaeger/v1_json.hpp"

namespace {

using namespace vmterm;

constexpr std::size_t span_count = 100'000;
constexpr std::size_t fan_out = 8;
constexpr std::uint64_t t0_us = 1'706'678'909'209'712;
const char* const services[] = {"vmterm-serve", "vmterm-worker", "redis", "checkout", "db"};

struct shape {
  std::uint64_t start_us = 0;
  std::uint64_t duration_us = 0;
  std::size_t parent = 0;
};

/// An 8-ary tree: each child sits in its own ninth of its parent's time.
std::vector<shape> make_shape() {
  std::vector<shape> s(span_count);
  s[0] = {t0_us, 10'000'000, 0};
  for (std::size_t i = 1; i < span_count; ++i) {
    const std::size_t p = (i - 1) / fan_out;
    const std::size_t k = (i - 1) % fan_out;
    s[i] = {s[p].start_us + (k + 1) * s[p].duration_us / 10, s[p].duration_us / 10, p};
  }
  return s;
}

std::string hex16(std::size_t i) {
  static const char digits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (std::size_t d = 0; d < 16; ++d) out[15 - d] = digits[(i + 1) >> (4 * d) & 0xf];
  return out;
}

std::string make_v1_json() {
  const auto s = make_shape();
  std::string out = R"({"data":[{"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spans":[)";
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i > 0) out += ',';
    out += R"({"traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":")" + hex16(i) +
           R"(","operationName":"op-)" + std::to_string(i % 97) + R"(","references":[)";
    if (i > 0) {
      out += R"({"refType":"CHILD_OF","traceID":"4bf92f3577b34da6a3ce929d0e0e4736","spanID":")" +
             hex16(s[i].parent) + "\"}";
    }
    out += R"(],"startTime":)" + std::to_string(s[i].start_us) + R"(,"duration":)" +
           std::to_string(s[i].duration_us) +
           R"(,"tags":[{"key":"span.kind","type":"string","value":"client"},)"
           R"({"key":"http.response.status_code","type":"int64","value":200},)"
           R"({"key":"db.system","type":"string","value":"redis"},)"
           R"({"key":"error","type":"bool","value":)" +
           (i % 1000 == 7 ? "true" : "false") + R"(}],"logs":[],"processID":"p)" +
           std::to_string(i % 5) + R"(","warnings":null})";
  }
  out += R"(],"processes":{)";
  for (int p = 0; p < 5; ++p) {
    if (p > 0) out += ',';
    out += "\"p" + std::to_string(p) + R"(":{"serviceName":")" + services[p] +
           R"(","tags":[{"key":"host.name","type":"string","value":"h1"}]})";
  }
  out += R"(}}],"total":0,"limit":0,"offset":0,"errors":null})";
  return out;
}

const std::string& v1_json() {
  static const std::string text = make_v1_json();
  return text;
}

const std::vector<trace::span_data>& decoded_spans() {
  static const std::vector<trace::span_data> spans = [] {
    auto doc = jaeger::decode_v1_json(v1_json(), "generated");
    if (!doc) std::abort();
    return std::move(doc->spans);
  }();
  return spans;
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

const jaeger::tree_render_options waterfall{.colour = true, .width = 160};

/// The whole of `vmterm-trace show --file trace.json`: read, build, render.
void BM_read_build_render(benchmark::State& state) {
  const auto& text = v1_json();
  for (auto _ : state) {
    auto doc = jaeger::decode_v1_json(text, "generated");
    auto tree = jaeger::build_tree(std::move(doc->spans));
    auto out = jaeger::render_tree(tree, waterfall);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["spans"] = static_cast<double>(span_count);
  state.counters["peak_rss_mb"] = peak_rss_mb();
}

void BM_decode_v1_json(benchmark::State& state) {
  const auto& text = v1_json();
  for (auto _ : state) {
    auto doc = jaeger::decode_v1_json(text, "generated");
    benchmark::DoNotOptimize(doc->spans.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
  state.counters["peak_rss_mb"] = peak_rss_mb();
}

/// Tree, self times and critical path (the copy of the input spans is not timed).
void BM_build_tree(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    auto spans = decoded_spans();
    state.ResumeTiming();
    auto tree = jaeger::build_tree(std::move(spans));
    benchmark::DoNotOptimize(tree.critical_path.data());
  }
  state.counters["peak_rss_mb"] = peak_rss_mb();
}

void BM_render_tree_waterfall(benchmark::State& state) {
  const auto tree = jaeger::build_tree(decoded_spans());
  for (auto _ : state) {
    auto out = jaeger::render_tree(tree, waterfall);
    benchmark::DoNotOptimize(out.data());
    state.counters["output_mb"] = static_cast<double>(out.size()) / 1e6;
  }
}

void BM_render_json(benchmark::State& state) {
  const auto tree = jaeger::build_tree(decoded_spans());
  const jaeger::visibility all(tree.nodes.size(), true);
  for (auto _ : state) {
    auto out = jaeger::render_json(tree, all);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["peak_rss_mb"] = peak_rss_mb();
}

}  // namespace

// Run first, so its peak RSS is not inflated by the others' cached inputs.
BENCHMARK(BM_read_build_render)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_decode_v1_json)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_build_tree)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_render_tree_waterfall)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_render_json)->Unit(benchmark::kMillisecond)->UseRealTime();
