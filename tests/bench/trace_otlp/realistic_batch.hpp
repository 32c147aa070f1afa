#pragma once
/// Realistic spans for the OTLP benchmarks: a server span with 8 attributes (strings and
/// integers, as HTTP semantic conventions give) and one event, the resource of vmterm-serve.

#include <memory>
#include <vector>

#include "trace/span_data.hpp"

namespace vmterm::bench {

inline std::vector<trace::span_data> realistic_batch(std::size_t n) {
  auto res = std::make_shared<trace::resource>(
      trace::resource{{{"service.name", std::string("vmterm-serve")},
                       {"service.version", std::string("0.1.0")},
                       {"host.name", std::string("ip-10-0-0-12")},
                       {"process.pid", std::int64_t{4242}},
                       {"telemetry.sdk.name", std::string("vmterm")},
                       {"telemetry.sdk.language", std::string("cpp")}},
                      0});
  auto scope = std::make_shared<trace::instrumentation_scope>(
      trace::instrumentation_scope{"vmterm.http", "0.1.0"});
  std::vector<trace::span_data> spans(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto& s = spans[i];
    s.trace = *trace::trace_id::from_hex("4bf92f3577b34da6a3ce929d0e0e4736");
    s.trace.bytes[15] = static_cast<std::uint8_t>(i);
    s.span = *trace::span_id::from_hex("00f067aa0ba902b7");
    s.span.bytes[7] = static_cast<std::uint8_t>(i);
    s.parent = *trace::span_id::from_hex("a3ce929d0e0e4736");
    s.name = "GET /health-check/";
    s.kind = trace::span_kind::server;
    s.start_unix_nano = 1763700000000000000ULL + i * 1000;
    s.end_unix_nano = s.start_unix_nano + 1250000;
    s.attrs = {{"http.request.method", std::string("GET")},
               {"url.path", std::string("/health-check/")},
               {"url.scheme", std::string("http")},
               {"http.route", std::string("/health-check/")},
               {"http.response.status_code", std::int64_t{200}},
               {"server.address", std::string("127.0.0.1")},
               {"server.port", std::int64_t{8000}},
               {"user_agent.original", std::string("vmterm-health/0.1.0")}};
    s.events = {{"request.received", s.start_unix_nano + 1000, {{"bytes", std::int64_t{512}}}, 0}};
    s.resource = res;
    s.scope = scope;
  }
  return spans;
}

}  // namespace vmterm::bench
