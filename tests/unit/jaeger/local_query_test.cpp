#include "jaeger/local_query.hpp"

#include <catch2/catch.hpp>

#include "jaeger/file_source.hpp"
#include "jaeger/time_parse.hpp"
#include "make_span.hpp"

using namespace vmterm;
using namespace vmterm::jaeger;
using jaeger::test::span;

namespace {

std::vector<trace::span_data> two_traces() {
  auto a1 = span("a1", "", "GET /cart", 0, 100, "checkout");
  auto a2 = span("a2", "a1", "SELECT", 10, 50, "db");
  a2.attrs.push_back({"db.system.name", std::string("postgresql")});
  auto b1 = span("b1", "", "GET /", 1000, 1005, "frontend");
  b1.trace = jaeger::test::tid("00000000000000000000000000000002");
  b1.status.code = trace::status_code::error;
  b1.kind = trace::span_kind::server;
  return {a1, a2, b1};
}

}  // namespace

TEST_CASE("services and operations are computed from spans", "[jaeger]") {
  const auto spans = two_traces();
  CHECK(list_services(spans) == std::vector<std::string>{"checkout", "db", "frontend"});
  CHECK(list_operations(spans, "frontend", "") == std::vector<operation_info>{{"GET /", "server"}});
  CHECK(list_operations(spans, "frontend", "client").empty());
}

TEST_CASE("search matches one span per criterion set, returns whole traces newest first",
          "[jaeger]") {
  search_query q{.service = "db", .tags = {{"db.system.name", "postgresql"}}};
  auto found = search_spans(two_traces(), q);
  REQUIRE(found.size() == 2);  // the whole trace, not only the matching span
  CHECK(found[0].name == "GET /cart");
  q.tags = {{"db.system.name", "mysql"}};
  CHECK(search_spans(two_traces(), q).empty());
  CHECK(search_spans(two_traces(), {.min_duration_ns = 60'000}).size() == 2);
  const auto newest = search_spans(two_traces(), {.limit = 1});
  REQUIRE(newest.size() == 1);
  CHECK(newest[0].name == "GET /");
  CHECK(search_spans(two_traces(), {.errors_only = true}).size() == 1);
}

TEST_CASE("formats are told apart", "[jaeger]") {
  CHECK(detect_format("{\"resourceSpans\":[]}\n{\"resourceSpans\":[]}\n") ==
        file_format::otlp_json_lines);
  CHECK(detect_format("{\n  \"resourceSpans\": []\n}\n") == file_format::otlp_json);
  CHECK(detect_format(R"({"data":[{"traceID":"1","spans":[]}]})") == file_format::jaeger_v1);
  CHECK(decode_any("  \n", "x").value().empty());
}

TEST_CASE("RFC 3339 times parse with fractions and offsets", "[jaeger]") {
  CHECK(parse_rfc3339("2024-01-31T05:28:29.209712Z").value() == jaeger::test::t0_ns);
  CHECK(parse_rfc3339("2024-01-31T06:28:29.209712+01:00").value() == jaeger::test::t0_ns);
  CHECK(parse_rfc3339("1970-01-02").value() == 86'400'000'000'000ULL);
  CHECK(parse_rfc3339("2024-01-31 05:28:29Z").value() == jaeger::test::t0_ns - 209'712'000);
  CHECK(parse_rfc3339("yesterday").error().message ==
        "'yesterday' is not an RFC 3339 time (e.g. 2024-01-31T05:28:29Z)");
  CHECK_FALSE(parse_rfc3339("2024-02-30T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("2024-01-31T05:28:29"));
}

TEST_CASE("Times past what nanoseconds hold are refused, not overflowed", "[jaeger]") {
  // Found by tests/fuzz/trace_time_flags (signed overflow in secs * 1e9).
  CHECK(parse_rfc3339("2428-01-31T05:28:04.20712+01:00").error().message ==
        "'2428-01-31T05:28:04.20712+01:00' is outside the times vmterm-trace reads (1970-01-01 "
        "to 2262-04-11)");
  CHECK_FALSE(parse_rfc3339("9999-12-31"));
  CHECK_FALSE(parse_rfc3339("1024-01-01"));
  CHECK_FALSE(parse_rfc3339("1969-12-31T23:59:59Z"));
  CHECK(parse_rfc3339("1012-01-31T05:26:29.20712+01:00").error().message ==
        "'1012-01-31T05:26:29.20712+01:00' is outside the times vmterm-trace reads (1970-01-01 "
        "to 2262-04-11)");
  CHECK(parse_rfc3339("2262-04-11T00:00:00Z").value() == 9'223'286'400'000'000'000ULL);
}
