#include "trace_otlp/otlp_http_exporter.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <sstream>
#include <thread>

#include "../../unit/trace_otlp/sample_spans.hpp"
#include "core/log.hpp"
#include "http_test_server.hpp"
#include "log_capture.hpp"
#include "trace/provider.hpp"
#include "trace/tracer.hpp"
#include "trace_otlp/gzip.hpp"
#include "trace_otlp/install_from_env.hpp"
#include "trace_otlp/otlp_json.hpp"
#include "trace_otlp/otlp_proto.hpp"

namespace {

using namespace vmterm;
using test::log_capture;
using namespace std::chrono_literals;
using test::scripted_response;
using clock_type = std::chrono::steady_clock;

/// Fast retries so that the tests take milliseconds, not seconds. http/json: these tests read
/// the wire as JSON (otlp_proto_test covers http/protobuf, the default).
trace_otlp::otlp_http_options fast_options(const test::http_test_server& server) {
  trace_otlp::otlp_http_options o;
  o.url = server.url("/v1/traces");
  o.protocol = trace_otlp::otlp_protocol::http_json;
  o.timeout = 5000ms;
  o.retry.initial_backoff = 20ms;
  o.retry.max_backoff = 50ms;
  return o;
}

}  // namespace

TEST_CASE("The exporter POSTs OTLP JSON with its headers and the collector's 200 is success",
          "[integration][trace_otlp]") {
  test::http_test_server server;
  auto options = fast_options(server);
  options.headers = {{"Authorization", "Bearer abc"}, {"x-tenant", "t 1"}};
  trace_otlp::otlp_http_exporter exporter(options);
  const auto spans = test::sample_spans();
  REQUIRE(exporter.export_spans(spans) == trace::export_result::success);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  const auto& r = requests[0];
  CHECK(r.method == "POST");
  CHECK(r.target == "/v1/traces");
  CHECK(r.header("Content-Type") == "application/json");
  CHECK(r.header("Authorization") == "Bearer abc");
  CHECK(r.header("x-tenant") == "t 1");
  CHECK_FALSE(r.header("Content-Encoding").has_value());
  CHECK(r.header("User-Agent")->starts_with("vmterm-OTLP-Exporter/"));
  CHECK(r.body == trace_otlp::encode_request(spans));
  CHECK(exporter.counters().exported_spans == spans.size());
}

TEST_CASE("The exporter reads records in place and POSTs the same request, JSON and protobuf",
          "[integration][trace_otlp]") {
  test::http_test_server server;
  const auto spans = test::sample_spans();
  std::vector<const trace::span_data*> records;
  for (const auto& s : spans) records.push_back(&s);
  for (const auto protocol :
       {trace_otlp::otlp_protocol::http_json, trace_otlp::otlp_protocol::http_protobuf}) {
    auto options = fast_options(server);
    options.protocol = protocol;
    trace_otlp::otlp_http_exporter exporter(options);
    const auto result = exporter.export_records(records);
    REQUIRE(result.has_value());  // implemented: the batch processor does not move the records
    CHECK(*result == trace::export_result::success);
    CHECK(exporter.counters().exported_spans == spans.size());
    exporter.shutdown(100ms);
    CHECK(exporter.export_records(records) == trace::export_result::failure);
  }
  const auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].body == trace_otlp::encode_request(spans));
  CHECK(requests[1].header("Content-Type") == "application/x-protobuf");
  CHECK(requests[1].body == trace_otlp::encode_request_proto(spans));
}

TEST_CASE("gzip compression sends a body that gunzips to the request",
          "[integration][trace_otlp]") {
  test::http_test_server server;
  auto options = fast_options(server);
  options.gzip = true;
  trace_otlp::otlp_http_exporter exporter(options);
  const auto spans = test::sample_spans();
  REQUIRE(exporter.export_spans(spans) == trace::export_result::success);
  const auto r = server.requests().at(0);
  CHECK(r.header("Content-Encoding") == "gzip");
  const auto plain = trace_otlp::gzip_decompress(r.body);
  REQUIRE(plain.has_value());
  CHECK(*plain == trace_otlp::encode_request(spans));
  CHECK(trace_otlp::decode_spans(*plain, "body")->size() == spans.size());
}

TEST_CASE("The connection is kept alive across exports", "[integration][trace_otlp]") {
  test::http_test_server server;
  trace_otlp::otlp_http_exporter exporter(fast_options(server));
  const auto spans = test::sample_spans();
  for (int i = 0; i < 3; ++i)
    REQUIRE(exporter.export_spans(spans) == trace::export_result::success);
  CHECK(server.requests().size() == 3);
  CHECK(server.connections() == 1);
}

TEST_CASE("A connection the server closed is reopened for the next export",
          "[integration][trace_otlp]") {
  test::http_test_server server;
  server.push({.status = 200, .headers = {}, .body = "{}", .delay = {}, .close = true});
  trace_otlp::otlp_http_exporter exporter(fast_options(server));
  const auto spans = test::sample_spans();
  REQUIRE(exporter.export_spans(spans) == trace::export_result::success);
  REQUIRE(exporter.export_spans(spans) == trace::export_result::success);
  CHECK(server.connections() == 2);
  CHECK(exporter.counters().attempts == 2);
}

TEST_CASE("400 is final: one attempt, failure, logged with the collector's message",
          "[integration][trace_otlp]") {
  test::http_test_server server;
  server.push({.status = 400,
               .headers = {},
               .body = R"({"code":3,"message":"bad span"})",
               .delay = {},
               .close = false});
  log_capture logs;
  trace_otlp::otlp_http_exporter exporter(fast_options(server));
  CHECK(exporter.export_spans(test::sample_spans()) == trace::export_result::failure);
  CHECK(server.requests().size() == 1);
  CHECK(exporter.counters().failed_exports == 1);
  CHECK(logs.text().find("export spans to '" + server.url("/v1/traces") +
                         "': HTTP 400 Bad Request: {\"code\":3,\"message\":\"bad span\"}; 4 spans "
                         "dropped") != std::string::npos);
}

TEST_CASE("Other 4xx and 5xx codes are not retried either", "[integration][trace_otlp]") {
  for (const unsigned status : {401U, 404U, 413U, 500U, 501U}) {
    test::http_test_server server;
    server.set_fallback({.status = status, .headers = {}, .body = "", .delay = {}, .close = false});
    trace_otlp::otlp_http_exporter exporter(fast_options(server));
    INFO("status " << status);
    CHECK(exporter.export_spans(test::sample_spans()) == trace::export_result::failure);
    CHECK(server.requests().size() == 1);
  }
}

TEST_CASE("429 with Retry-After waits that long, then succeeds", "[integration][trace_otlp]") {
  test::http_test_server server;
  server.push(
      {.status = 429, .headers = {{"Retry-After", "1"}}, .body = "", .delay = {}, .close = false});
  trace_otlp::otlp_http_exporter exporter(fast_options(server));
  const auto start = clock_type::now();
  CHECK(exporter.export_spans(test::sample_spans()) == trace::export_result::success);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[1].received - requests[0].received >= 950ms);
  CHECK(clock_type::now() - start < 3s);
}

TEST_CASE("503, 502 and 504 are retried with backoff until success", "[integration][trace_otlp]") {
  test::http_test_server server;
  for (const unsigned status : {503U, 502U, 504U})
    server.push({.status = status, .headers = {}, .body = "", .delay = {}, .close = false});
  trace_otlp::otlp_http_exporter exporter(fast_options(server));
  CHECK(exporter.export_spans(test::sample_spans()) == trace::export_result::success);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 4);
  for (std::size_t i = 1; i < requests.size(); ++i) {
    CHECK(requests[i].received - requests[i - 1].received >= 15ms);  // 20 ms × U(0.8, 1.2)
  }
}

TEST_CASE("Retries stop after the configured number of attempts", "[integration][trace_otlp]") {
  test::http_test_server server;
  server.set_fallback({.status = 503, .headers = {}, .body = "", .delay = {}, .close = false});
  log_capture logs;
  trace_otlp::otlp_http_exporter exporter(fast_options(server));
  CHECK(exporter.export_spans(test::sample_spans()) == trace::export_result::failure);
  CHECK(server.requests().size() == 5);
  CHECK(logs.text().find("': gave up after 5 attempts: HTTP 503 Service Unavailable; 4 spans "
                         "dropped") != std::string::npos);
}

TEST_CASE("A collector that keeps failing is given up on within the export timeout",
          "[integration][trace_otlp]") {
  test::http_test_server server;
  server.set_fallback(
      {.status = 503, .headers = {{"Retry-After", "1"}}, .body = "", .delay = {}, .close = false});
  auto options = fast_options(server);
  options.timeout = 1500ms;
  options.retry.max_attempts = 100;
  trace_otlp::otlp_http_exporter exporter(options);
  const auto start = clock_type::now();
  CHECK(exporter.export_spans(test::sample_spans()) == trace::export_result::failure);
  CHECK(clock_type::now() - start < 1600ms);
  CHECK(server.requests().size() == 2);  // at 0 s and 1 s; a third would be after 1.5 s
}

TEST_CASE("A collector that does not answer is given up on within the export timeout",
          "[integration][trace_otlp]") {
  test::http_test_server server;
  server.set_fallback({.status = 200, .headers = {}, .body = "{}", .delay = 10s, .close = false});
  auto options = fast_options(server);
  options.timeout = 400ms;
  trace_otlp::otlp_http_exporter exporter(options);
  const auto start = clock_type::now();
  CHECK(exporter.export_spans(test::sample_spans()) == trace::export_result::failure);
  CHECK(clock_type::now() - start < 700ms);
}

TEST_CASE("Connection failures are retried, then given up on", "[integration][trace_otlp]") {
  std::string url;
  {
    test::http_test_server gone;  // a port that was just free and now has no listener
    url = gone.url("/v1/traces");
  }
  trace_otlp::otlp_http_options options;
  options.url = url;
  options.retry.initial_backoff = 10ms;
  options.retry.max_attempts = 3;
  log_capture logs;
  trace_otlp::otlp_http_exporter exporter(options);
  CHECK(exporter.export_spans(test::sample_spans()) == trace::export_result::failure);
  CHECK(exporter.counters().attempts == 3);
  CHECK(logs.text().find("gave up after 3 attempts: POST '" + url +
                         "': connect: connection refused") != std::string::npos);
}

TEST_CASE("A partial success is logged and not retried", "[integration][trace_otlp]") {
  test::http_test_server server;
  server.push({.status = 200,
               .headers = {{"Content-Type", "application/json"}},
               .body = R"({"partialSuccess":{"rejectedSpans":"2","errorMessage":"too old"}})",
               .delay = {},
               .close = false});
  log_capture logs;
  trace_otlp::otlp_http_exporter exporter(fast_options(server));
  CHECK(exporter.export_spans(test::sample_spans()) == trace::export_result::success);
  CHECK(server.requests().size() == 1);
  CHECK(exporter.counters().rejected_spans == 2);
  CHECK(exporter.counters().exported_spans == 2);
  CHECK(logs.text().find("partial success: 2 spans rejected: too old") != std::string::npos);
}

TEST_CASE("Shutdown cuts a wait between retries short and later exports fail",
          "[integration][trace_otlp]") {
  test::http_test_server server;
  server.set_fallback(
      {.status = 503, .headers = {{"Retry-After", "3"}}, .body = "", .delay = {}, .close = false});
  trace_otlp::otlp_http_exporter exporter(fast_options(server));
  const auto start = clock_type::now();
  std::thread stopper([&] {
    REQUIRE(server.wait_for_requests(1, 2s));
    exporter.shutdown(0ms);
  });
  CHECK(exporter.export_spans(test::sample_spans()) == trace::export_result::failure);
  stopper.join();
  CHECK(clock_type::now() - start < 2s);
  CHECK(exporter.export_spans(test::sample_spans()) == trace::export_result::failure);
}

TEST_CASE("Through install_from_env a stalled collector never blocks the caller",
          "[integration][trace_otlp]") {
  test::http_test_server server;
  server.set_fallback({.status = 200, .headers = {}, .body = "{}", .delay = 3s, .close = false});
  const std::map<std::string, std::string> vars{{"OTEL_EXPORTER_OTLP_ENDPOINT", server.url()},
                                                {"OTEL_EXPORTER_OTLP_TIMEOUT", "500"},
                                                {"OTEL_BSP_SCHEDULE_DELAY", "10"},
                                                {"OTEL_BSP_EXPORT_TIMEOUT", "1000"}};
  const config::env_lookup env = [&vars](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  std::vector<std::string> warnings;
  auto tracing = trace_otlp::install_from_env("test-tool", env,
                                              [&](const std::string& w) { warnings.push_back(w); });
  REQUIRE(tracing.enabled());
  const auto tracer = trace::get_tracer("test");
  auto slowest = clock_type::duration::zero();
  for (int i = 0; i < 5000; ++i) {
    const auto start = clock_type::now();
    auto span = tracer.start_span("op");
    span.end();
    slowest = std::max(slowest, clock_type::now() - start);
  }
  CHECK(slowest < 50ms);  // the export is stuck for 3 s; ending spans must not wait for it
  REQUIRE(server.wait_for_requests(1, 2s));
  const auto start = clock_type::now();
  tracing.shutdown();  // bounded by the export timeouts, not by the stalled collector
  CHECK(clock_type::now() - start < 2500ms);
  CHECK(warnings.empty());
}
