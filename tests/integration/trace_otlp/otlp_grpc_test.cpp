// OTEL_EXPORTER_OTLP_PROTOCOL=grpc against a real gRPC server (grpc++'s generic callback
// service, otlp_grpc_receiver): what arrives is compared with what was sent, and the
// receiver's answers (retryable codes, RetryInfo, partial success, final errors) are obeyed.
#include <catch2/catch.hpp>
#include <sstream>

#include "../../unit/trace_otlp/sample_spans.hpp"
#include "core/log.hpp"
#include "log_capture.hpp"
#include "otlp_grpc_receiver.hpp"
#include "ports.hpp"
#include "trace_otlp/grpc_transport.hpp"
#include "trace_otlp/otlp_http_exporter.hpp"
#include "trace_otlp/otlp_proto.hpp"

using namespace vmterm;
using test::log_capture;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr const char* export_method = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
constexpr int unavailable = 14, resource_exhausted = 8, invalid_argument = 3;

trace_otlp::otlp_http_options grpc_options(const std::string& url) {
  trace_otlp::otlp_http_options o;
  o.url = url;
  o.protocol = trace_otlp::otlp_protocol::grpc;
  o.retry.initial_backoff = 20ms;
  o.retry.max_backoff = 50ms;
  return o;
}

}  // namespace

TEST_CASE("grpc: the exporter calls TraceService/Export with the protobuf request and its headers",
          "[integration][trace_otlp][grpc]") {
  test::otlp_grpc_receiver receiver;
  auto options = grpc_options(receiver.url());
  options.headers = {{"Authorization", "Bearer abc"}, {"X-Tenant", "t1"}};
  trace_otlp::otlp_http_exporter exporter(options);
  const auto spans = test::sample_spans();
  REQUIRE(exporter.export_spans(spans) == trace::export_result::success);
  const auto calls = receiver.calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].method == export_method);
  CHECK(calls[0].body == trace_otlp::encode_request_proto(spans));
  CHECK(calls[0].metadata.find("authorization")->second == "Bearer abc");
  CHECK(calls[0].metadata.find("x-tenant")->second == "t1");
  INFO("user-agent: " << calls[0].metadata.find("user-agent")->second);
  CHECK(calls[0].metadata.find("user-agent")->second.find("vmterm-OTLP-Exporter/") !=
        std::string::npos);
  CHECK(exporter.counters().exported_spans == spans.size());
}

TEST_CASE("grpc: gzip compresses the message and the receiver still reads the same request",
          "[integration][trace_otlp][grpc]") {
  test::otlp_grpc_receiver receiver;
  auto options = grpc_options(receiver.url());
  options.gzip = true;
  trace_otlp::otlp_http_exporter exporter(options);
  const auto spans = test::sample_spans();
  REQUIRE(exporter.export_spans(spans) == trace::export_result::success);
  REQUIRE(receiver.calls().size() == 1);
  CHECK(receiver.calls()[0].body == trace_otlp::encode_request_proto(spans));
  // A receiver that refuses gzip refuses the message: it was compressed.
  test::otlp_grpc_receiver plain(
      {.record = true, .accept_gzip = false, .tls_cert = {}, .tls_key = {}});
  options.url = plain.url();
  log_capture logs;
  trace_otlp::otlp_http_exporter to_plain(options);
  CHECK(to_plain.export_spans(spans) == trace::export_result::failure);
  CHECK(plain.calls().empty());
  CHECK(logs.text().find("gRPC UNIMPLEMENTED") != std::string::npos);
}

TEST_CASE("grpc: UNAVAILABLE is retried and the next success counts",
          "[integration][trace_otlp][grpc]") {
  test::otlp_grpc_receiver receiver;
  receiver.push(test::otlp_grpc_receiver::reply::status(unavailable, "collector restarting"));
  trace_otlp::otlp_http_exporter exporter(grpc_options(receiver.url()));
  const auto spans = test::sample_spans();
  REQUIRE(exporter.export_spans(spans) == trace::export_result::success);
  CHECK(receiver.calls().size() == 2);
  CHECK(receiver.calls()[1].body == receiver.calls()[0].body);
  CHECK(exporter.counters().attempts == 2);
  CHECK(exporter.counters().exported_spans == spans.size());
}

TEST_CASE("grpc: RESOURCE_EXHAUSTED is retried only with a RetryInfo, after its delay",
          "[integration][trace_otlp][grpc]") {
  {
    test::otlp_grpc_receiver receiver;
    receiver.push(test::otlp_grpc_receiver::reply::status(resource_exhausted, "quota"));
    log_capture logs;
    trace_otlp::otlp_http_exporter exporter(grpc_options(receiver.url()));
    CHECK(exporter.export_spans(test::sample_spans()) == trace::export_result::failure);
    CHECK(receiver.calls().size() == 1);
    CHECK(logs.text().find(
              "export spans to '" + receiver.url() + "': gRPC RESOURCE_EXHAUSTED: quota; " +
              std::to_string(test::sample_spans().size()) + " spans dropped") != std::string::npos);
  }
  test::otlp_grpc_receiver receiver;
  receiver.push(test::otlp_grpc_receiver::reply::status(
      resource_exhausted, "slow down",
      test::status_with_retry_info(resource_exhausted, "slow down", 300)));
  trace_otlp::otlp_http_exporter exporter(grpc_options(receiver.url()));
  const auto start = clock_type::now();
  REQUIRE(exporter.export_spans(test::sample_spans()) == trace::export_result::success);
  CHECK(clock_type::now() - start >= 300ms);  // RetryInfo's delay, not the 20 ms backoff
  CHECK(receiver.calls().size() == 2);
}

TEST_CASE("grpc: a partial success is counted and logged, not retried",
          "[integration][trace_otlp][grpc]") {
  test::otlp_grpc_receiver receiver;
  // ExportTraceServiceResponse{partial_success{rejected_spans: 2, error_message: "too old"}}
  receiver.push(
      test::otlp_grpc_receiver::reply::ok(std::string("\x0a\x0b\x08\x02\x12\x07too old", 13)));
  log_capture logs;
  trace_otlp::otlp_http_exporter exporter(grpc_options(receiver.url()));
  const auto spans = test::sample_spans();
  REQUIRE(exporter.export_spans(spans) == trace::export_result::success);
  CHECK(receiver.calls().size() == 1);
  CHECK(exporter.counters().rejected_spans == 2);
  CHECK(exporter.counters().exported_spans == spans.size() - 2);
  CHECK(logs.text().find("partial success: 2 spans rejected: too old") != std::string::npos);
}

TEST_CASE("grpc: a final error is given up on at once, naming the code and the message",
          "[integration][trace_otlp][grpc]") {
  test::otlp_grpc_receiver receiver;
  receiver.push(test::otlp_grpc_receiver::reply::status(invalid_argument, "bad span"));
  log_capture logs;
  trace_otlp::otlp_http_exporter exporter(grpc_options(receiver.url()));
  CHECK(exporter.export_spans(test::sample_spans()) == trace::export_result::failure);
  CHECK(receiver.calls().size() == 1);
  CHECK(exporter.counters().failed_exports == 1);
  CHECK(logs.text().find("gRPC INVALID_ARGUMENT: bad span; " +
                         std::to_string(test::sample_spans().size()) + " spans dropped") !=
        std::string::npos);
}

TEST_CASE("grpc: no server is UNAVAILABLE, retried, then given up on",
          "[integration][trace_otlp][grpc]") {
  const auto port = test::free_loopback_port();
  auto options = grpc_options("http://127.0.0.1:" + std::to_string(port));
  options.retry.max_attempts = 3;
  log_capture logs;
  trace_otlp::otlp_http_exporter exporter(options);
  CHECK(exporter.export_spans(test::sample_spans()) == trace::export_result::failure);
  CHECK(exporter.counters().attempts == 3);
  CHECK(logs.text().find("gave up after 3 attempts: gRPC UNAVAILABLE") != std::string::npos);
}

TEST_CASE("grpc: the spec's retryable codes", "[trace_otlp][grpc]") {
  using trace_otlp::retryable_grpc;
  for (int code : {1, 4, 10, 11, 14, 15}) CHECK(retryable_grpc(code, false));
  for (int code : {0, 2, 3, 5, 6, 7, 9, 12, 13, 16}) CHECK_FALSE(retryable_grpc(code, true));
  CHECK_FALSE(retryable_grpc(resource_exhausted, false));
  CHECK(retryable_grpc(resource_exhausted, true));
  CHECK(trace_otlp::grpc_code_name(14) == "UNAVAILABLE");
  CHECK(trace_otlp::grpc_code_name(99) == "status 99");
}

TEST_CASE("grpc: RetryInfo's delay is read from a google.rpc.Status", "[trace_otlp][grpc]") {
  CHECK(trace_otlp::decode_retry_delay(test::status_with_retry_info(8, "x", 1500)) == 1500ms);
  CHECK(trace_otlp::decode_retry_delay(test::status_with_retry_info(8, "x", 0)) == 0ms);
  CHECK_FALSE(trace_otlp::decode_retry_delay("").has_value());
  CHECK_FALSE(trace_otlp::decode_retry_delay(std::string("\x1a\x05\x0a", 3)).has_value());
  // Another detail type (a google.rpc.ErrorInfo) is no RetryInfo.
  std::string other = test::status_with_retry_info(8, "x", 100);
  const auto at = other.find("RetryInfo");
  other.replace(at, 9, "ErrorInfo");
  CHECK_FALSE(trace_otlp::decode_retry_delay(other).has_value());
}
