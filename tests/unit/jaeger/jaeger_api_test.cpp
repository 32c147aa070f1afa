#include "jaeger/jaeger_api.hpp"

#include <catch2/catch.hpp>

#include "make_span.hpp"

using namespace vmterm::jaeger;

TEST_CASE("api_v3 targets carry the base path and snake_case parameters", "[jaeger]") {
  CHECK(api::v3_services("/") == "/api/v3/services");
  CHECK(api::v3_services("/jaeger/") == "/jaeger/api/v3/services");
  CHECK(api::v3_operations("/", "my svc", "server") ==
        "/api/v3/operations?service=my%20svc&span_kind=server");
  CHECK(api::v3_trace("/", test::tid()) == "/api/v3/traces/4bf92f3577b34da6a3ce929d0e0e4736");
  search_query q{.service = "checkout",
                 .operation = "GET /cart",
                 .tags = {{"http.status", "500"}},
                 .min_duration_ns = 10'000'000,
                 .max_duration_ns = 2'000'000'000,
                 .start_unix_nano = test::t0_ns,
                 .end_unix_nano = test::t0_ns + 3'600'000'000'000ULL,
                 .limit = 5};
  CHECK(api::v3_search("/", q) ==
        "/api/v3/traces?query.service_name=checkout&query.operation_name=GET%20%2Fcart"
        "&query.start_time_min=2024-01-31T05%3A28%3A29.209712Z"
        "&query.start_time_max=2024-01-31T06%3A28%3A29.209712Z"
        "&query.duration_min=10000000ns&query.duration_max=2000000000ns"
        "&query.attributes=%7B%22http.status%22%3A%22500%22%7D"
        "&query.num_traces=5&query.search_depth=5");
}

TEST_CASE("v1 targets use µs times and Go durations", "[jaeger]") {
  CHECK(api::v1_services("/") == "/api/services");
  CHECK(api::v1_operations("/", "a/b", "") == "/api/services/a%2Fb/operations");
  CHECK(api::v1_operations("/", "a", "client") == "/api/operations?service=a&spanKind=client");
  CHECK(api::v1_trace("/", test::tid()) == "/api/traces/4bf92f3577b34da6a3ce929d0e0e4736");
  search_query q{.service = "s", .start_unix_nano = 2'000'000, .end_unix_nano = 5'000'000};
  CHECK(api::v1_search("/", q) == "/api/traces?service=s&start=2000&end=5000&limit=20");
}

TEST_CASE("answers decode, sorted; wrong shapes are errors", "[jaeger]") {
  CHECK(api::decode_v3_services(R"({"services":["b","a"]})").value() ==
        std::vector<std::string>{"a", "b"});
  CHECK(api::decode_v3_services(R"({"services":null})").value().empty());
  CHECK_FALSE(api::decode_v3_services("<html>"));
  CHECK_FALSE(api::decode_v3_services(R"({"data":["a"]})"));
  CHECK(api::decode_v1_services(R"({"data":["x"],"total":1,"errors":null})").value() ==
        std::vector<std::string>{"x"});
  CHECK(
      api::decode_v3_operations(R"({"operations":[{"name":"b","spanKind":"server"},{"name":"a"}]})")
          .value() == std::vector<operation_info>{{"a", ""}, {"b", "server"}});
  CHECK(api::decode_v1_operations(R"({"data":["op"]})").value() ==
        std::vector<operation_info>{{"op", ""}});
}

TEST_CASE("error bodies: JSON whatever the content type, else the first line", "[jaeger]") {
  CHECK(api::error_message(R"({"error":{"httpCode":404,"message":"No traces found"}})"
                           "\n") == "No traces found");
  CHECK(api::error_message(R"({"data":null,"errors":[{"code":404,"msg":"trace not found"}]})") ==
        "trace not found");
  CHECK(api::error_message("404 page not found\n") == "404 page not found");
  CHECK(api::error_message("") == "");
  CHECK(api::body_excerpt("a\tb", 10) == "a?b");
  CHECK(api::body_excerpt("abcdef", 3) == "abc…");
}

TEST_CASE("trace-summaries: the search's parameters; answers decode, {} is no match", "[jaeger]") {
  search_query q{.service = "checkout", .start_unix_nano = 1, .end_unix_nano = 2, .limit = 7};
  const auto target = api::v3_trace_summaries("/jaeger", q);
  CHECK(target.rfind("/jaeger/api/v3/trace-summaries?query.service_name=checkout&", 0) == 0);
  CHECK(target.substr(target.find('?')) ==
        api::v3_search("/jaeger", q).substr(api::v3_search("/jaeger", q).find('?')));

  const auto rows = api::decode_v3_summaries(
      R"({"summaries":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","rootServiceName":"frontend",
          "rootOperationName":"GET /","minStartTimeUnixNano":"1706678909209712000",
          "maxEndTimeUnixNano":1706678909209835000,"spanCount":"14","errorSpanCount":1,
          "orphanSpanCount":2,"services":[{"name":"frontend","spanCount":14}],"future":true}]})");
  REQUIRE(rows.has_value());
  REQUIRE(rows->size() == 1);
  const auto& r = rows->front();
  CHECK(r.id.hex() == "4bf92f3577b34da6a3ce929d0e0e4736");
  CHECK(r.root_service == "frontend");
  CHECK(r.root_operation == "GET /");
  CHECK(r.start_unix_nano == 1706678909209712000ULL);
  CHECK(r.duration_ns == 123000);
  CHECK(r.span_count == 14);
  CHECK(r.error_count == 1);
  CHECK(r.orphan_count == 2);

  CHECK(api::decode_v3_summaries("{}")->empty());
  CHECK(api::decode_v3_summaries(R"({"summaries":null})")->empty());
  CHECK(api::decode_v3_summaries(R"({"summaries":[{"traceId":"10"}]})").error().message ==
        "expected a hex traceId in each of \"summaries\"");
  CHECK(api::decode_v3_summaries(R"({"summaries":{}})").error().message ==
        "expected {\"summaries\":[...]}");
  CHECK_FALSE(api::decode_v3_summaries("404 page not found"));
}

TEST_CASE("v1 envelopes with errors and no data are recognised", "[jaeger]") {
  CHECK(api::v1_envelope_error(
            R"({"data":null,"total":0,"errors":[{"code":500,"msg":"storage unavailable"}]})") ==
        "storage unavailable (code 500)");
  CHECK(api::v1_envelope_error(R"({"errors":[{"msg":"no data at all"}]})") == "no data at all");
  CHECK(api::v1_envelope_error(R"({"data":null,"errors":[{}]})") == "unknown error");
  CHECK_FALSE(api::v1_envelope_error(R"({"data":[],"errors":[{"msg":"partial"}]})"));
  CHECK_FALSE(api::v1_envelope_error(R"({"data":null,"errors":null})"));
  CHECK_FALSE(api::v1_envelope_error(R"({"data":null,"errors":[]})"));
  CHECK_FALSE(api::v1_envelope_error("404 page not found"));
  CHECK(api::is_json_object(R"({"error":{"httpCode":404,"message":"No traces found"}})"
                            "\n"));
  CHECK(api::is_json_object(R"({"code":5,"message":"No traces found","details":[]})"));
  CHECK_FALSE(api::is_json_object("404 page not found\n"));
  CHECK_FALSE(api::is_json_object("[]"));
}
