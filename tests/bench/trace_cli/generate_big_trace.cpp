// Writes one big synthetic trace for vmterm-trace's end-to-end benchmark:
//   generate_big_trace otlp|v1 SPANS OUT
// otlp: OTLP JSON lines, 512 spans a line (as the file exporters write batches);
// v1: one Jaeger v1 `/api/traces` envelope. Spans form a 4-ary tree over 8 services, each with
// three attributes; every 97th span is an error with an event.
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "trace/span_data.hpp"
#include "trace_otlp/otlp_json.hpp"

namespace {

using namespace vmterm;

constexpr std::uint64_t t0 = 1706678909000000000ULL;

trace::span_id span_id_of(std::size_t i) {
  trace::span_id id;
  const auto v = static_cast<std::uint64_t>(i + 1);
  for (std::size_t b = 0; b < 8; ++b) id.bytes[7 - b] = static_cast<std::uint8_t>(v >> (8 * b));
  return id;
}

std::vector<trace::span_data> make_spans(std::size_t n) {
  std::vector<std::shared_ptr<const trace::resource>> services;
  for (int s = 0; s < 8; ++s) {
    auto r = std::make_shared<trace::resource>();
    r->attrs.push_back({"service.name", std::string("service-") + std::to_string(s)});
    services.push_back(std::move(r));
  }
  auto scope =
      std::make_shared<trace::instrumentation_scope>(trace::instrumentation_scope{"bench", "1"});
  const auto trace = trace::trace_id::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").value();
  std::vector<trace::span_data> spans(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto& s = spans[i];
    s.trace = trace;
    s.span = span_id_of(i);
    if (i != 0) s.parent = span_id_of((i - 1) / 4);
    s.name = "operation-" + std::to_string(i % 50);
    s.kind = static_cast<trace::span_kind>(1 + i % 5);
    const std::uint64_t depth_offset = static_cast<std::uint64_t>(i) * 1000;
    s.start_unix_nano = t0 + depth_offset;
    s.end_unix_nano = s.start_unix_nano + 1'000'000'000 / (1 + i / 100);
    s.attrs = {{"http.request.method", std::string("GET")},
               {"http.response.status_code", std::int64_t{200}},
               {"url.path", "/items/" + std::to_string(i)}};
    if (i % 97 == 0) {
      s.status = {trace::status_code::error, "boom"};
      s.events.push_back(
          {"exception", s.start_unix_nano + 10, {{"exception.message", std::string("boom")}}, 0});
    }
    s.resource = services[i % services.size()];
    s.scope = scope;
  }
  return spans;
}

std::string hex(const trace::span_id& id) { return id.hex(); }

void write_v1(const std::vector<trace::span_data>& spans, std::ostream& out) {
  out << R"({"data":[{"traceID":")" << spans.front().trace.hex() << R"(","spans":[)";
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const auto& s = spans[i];
    if (i) out << ',';
    out << R"({"traceID":")" << s.trace.hex() << R"(","spanID":")" << hex(s.span)
        << R"(","operationName":")" << s.name << R"(","references":[)";
    if (s.parent.valid()) {
      out << R"({"refType":"CHILD_OF","traceID":")" << s.trace.hex() << R"(","spanID":")"
          << hex(s.parent) << R"("})";
    }
    out << R"(],"startTime":)" << s.start_unix_nano / 1000 << R"(,"duration":)"
        << (s.end_unix_nano - s.start_unix_nano) / 1000
        << R"(,"tags":[{"key":"http.request.method","type":"string","value":"GET"},)"
        << R"({"key":"http.response.status_code","type":"int64","value":200},)"
        << R"({"key":"url.path","type":"string","value":"/items/)" << i << R"("})";
    if (s.status.code == trace::status_code::error)
      out << R"(,{"key":"error","type":"bool","value":true})";
    out << R"(],"logs":[],"processID":"p)" << i % 8 << R"(","warnings":null})";
  }
  out << R"(],"processes":{)";
  for (int p = 0; p < 8; ++p) {
    out << (p ? "," : "") << R"("p)" << p << R"(":{"serviceName":"service-)" << p
        << R"(","tags":[]})";
  }
  out << R"(},"warnings":null}],"total":0,"limit":0,"offset":0,"errors":null})" << '\n';
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: generate_big_trace otlp|v1 SPANS OUT\n";
    return 2;
  }
  const std::string format = argv[1];
  const auto n = static_cast<std::size_t>(std::stoul(argv[2]));
  std::ofstream out(argv[3], std::ios::binary);
  const auto spans = make_spans(n);
  if (format == "v1") {
    write_v1(spans, out);
  } else {
    for (std::size_t i = 0; i < spans.size(); i += 512) {
      const auto count = std::min<std::size_t>(512, spans.size() - i);
      out << vmterm::trace_otlp::encode_request(std::span(spans).subspan(i, count)) << '\n';
    }
  }
  return out ? 0 : 1;
}
