// The hand-written OTLP protobuf encoder against an independent decoder: protoc (Debian's
// protobuf-compiler) decodes our bytes with the specification's schema (transcribed in
// otlp_trace.proto) into text format, compared whole; and bytes per span beside JSON.
#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>

#include "http_test_server.hpp"
#include "process.hpp"
#include "temp_dir.hpp"
#include "trace_otlp/otlp_http_exporter.hpp"
#include "trace_otlp/otlp_json.hpp"
#include "trace_otlp/otlp_proto.hpp"

using namespace vmterm;
using namespace vmterm::test;

namespace {

const std::filesystem::path proto_dir = VMTERM_PROTO_DIR;

std::string decode(const std::string& bytes) {
  const auto r = run({"protoc", "-I", proto_dir.string(),
                      "--decode=opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest",
                      (proto_dir / "otlp_trace.proto").string()},
                     {.input = bytes});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

trace::span_data sample_span(std::shared_ptr<const trace::resource> res,
                             std::shared_ptr<const trace::instrumentation_scope> scope) {
  trace::span_data s;
  s.trace = *trace::trace_id::from_hex("0af7651916cd43dd8448eb211c80319c");
  s.span = *trace::span_id::from_hex("b7ad6b7169203331");
  s.parent = *trace::span_id::from_hex("00f067aa0ba902b7");
  s.parent_remote = true;
  s.trace_state = "congo=t61rcWkgMzE";
  s.name = "GET /health-check/";
  s.kind = trace::span_kind::server;
  s.start_unix_nano = 1700000000123456789ULL;
  s.end_unix_nano = 1700000000223456789ULL;
  s.attrs = {{"http.request.method", std::string("GET")},
             {"http.response.status_code", std::int64_t{200}},
             {"ok", true},
             {"ratio", 0.5},
             {"neg", std::int64_t{-3}},
             {"bad", std::string("a\xff"
                                 "b")},
             {"list", std::vector<std::string>{"x", "y"}}};
  s.events = {{"exception", 1700000000150000000ULL, {{"exception.type", std::string("E")}}, 0}};
  s.status = {trace::status_code::error, "boom"};
  s.dropped_attributes_count = 2;
  s.resource = std::move(res);
  s.scope = std::move(scope);
  return s;
}

}  // namespace

TEST_CASE("protoc decodes the protobuf encoding to exactly the span that was encoded",
          "[trace_otlp][proto]") {
  auto res = std::make_shared<trace::resource>();
  res->attrs = {{"service.name", std::string("vmterm-serve")}};
  auto scope = std::make_shared<trace::instrumentation_scope>(
      trace::instrumentation_scope{"vmterm.http", "0.1.0"});
  const std::vector<trace::span_data> spans{sample_span(res, scope)};
  const auto text = decode(trace_otlp::encode_request_proto(spans));
  CHECK(text ==
        R"(resource_spans {
  resource {
    attributes {
      key: "service.name"
      value {
        string_value: "vmterm-serve"
      }
    }
  }
  scope_spans {
    scope {
      name: "vmterm.http"
      version: "0.1.0"
    }
    spans {
      trace_id: "\n\367e\031\026\315C\335\204H\353!\034\2001\234"
      span_id: "\267\255kqi 31"
      trace_state: "congo=t61rcWkgMzE"
      parent_span_id: "\000\360g\252\013\251\002\267"
      name: "GET /health-check/"
      kind: SPAN_KIND_SERVER
      start_time_unix_nano: 1700000000123456789
      end_time_unix_nano: 1700000000223456789
      attributes {
        key: "http.request.method"
        value {
          string_value: "GET"
        }
      }
      attributes {
        key: "http.response.status_code"
        value {
          int_value: 200
        }
      }
      attributes {
        key: "ok"
        value {
          bool_value: true
        }
      }
      attributes {
        key: "ratio"
        value {
          double_value: 0.5
        }
      }
      attributes {
        key: "neg"
        value {
          int_value: -3
        }
      }
      attributes {
        key: "bad"
        value {
          string_value: "a\357\277\275b"
        }
      }
      attributes {
        key: "list"
        value {
          array_value {
            values {
              string_value: "x"
            }
            values {
              string_value: "y"
            }
          }
        }
      }
      dropped_attributes_count: 2
      events {
        time_unix_nano: 1700000000150000000
        name: "exception"
        attributes {
          key: "exception.type"
          value {
            string_value: "E"
          }
        }
      }
      status {
        message: "boom"
        code: STATUS_CODE_ERROR
      }
      flags: 769
    }
  }
}
)");
}

TEST_CASE("long bodies get multi-byte lengths; spans group by resource and scope as in JSON",
          "[trace_otlp][proto]") {
  auto res = std::make_shared<trace::resource>();
  auto a = std::make_shared<trace::instrumentation_scope>(trace::instrumentation_scope{"a", ""});
  auto b = std::make_shared<trace::instrumentation_scope>(trace::instrumentation_scope{"b", ""});
  std::vector<trace::span_data> spans;
  for (int i = 0; i < 300; ++i) {
    auto s = sample_span(res, i % 3 == 0 ? b : a);
    s.name = std::string(static_cast<std::size_t>(i), 'n');  // bodies from 100 B to 400 B
    spans.push_back(std::move(s));
  }
  const auto bytes = trace_otlp::encode_request_proto(spans);
  const auto text = decode(bytes);
  std::size_t n = 0;
  for (auto at = text.find("\n    spans {"); at != std::string::npos;
       at = text.find("\n    spans {", at + 1)) {
    ++n;
  }
  CHECK(n == 300);
  CHECK(text.find("name: \"" + std::string(299, 'n') + "\"") != std::string::npos);
  // One resource, two scopes in order of first appearance: span 0 is in b.
  const auto first_scope = text.find("name: \"b\"");
  const auto second_scope = text.find("name: \"a\"");
  CHECK(first_scope < second_scope);
  CHECK(text.find("resource_spans {", 1) == std::string::npos);
  const auto json = trace_otlp::encode_request(spans);
  INFO("protobuf " << bytes.size() << " B, JSON " << json.size() << " B for 300 spans");
  CHECK(bytes.size() * 2 < json.size());  // well under half of JSON's size
}

TEST_CASE("http/protobuf: the exporter POSTs protobuf and reads a protobuf partial success",
          "[trace_otlp][proto]") {
  test::http_test_server server;
  // ExportTraceServiceResponse{partial_success{rejected_spans: 2, error_message: "too old"}}
  server.push({.status = 200,
               .headers = {{"Content-Type", "application/x-protobuf"}},
               .body = std::string("\x0a\x0b\x08\x02\x12\x07too old", 13),
               .delay = {},
               .close = false});
  trace_otlp::otlp_http_options o;
  o.url = server.url("/v1/traces");
  o.protocol = trace_otlp::otlp_protocol::http_protobuf;
  trace_otlp::otlp_http_exporter exporter(o);
  auto res = std::make_shared<trace::resource>();
  auto scope = std::make_shared<trace::instrumentation_scope>(
      trace::instrumentation_scope{"vmterm.http", "0.1.0"});
  const std::vector<trace::span_data> spans{sample_span(res, scope), sample_span(res, scope)};
  CHECK(exporter.export_spans(spans) == trace::export_result::success);
  const auto r = server.requests().at(0);
  CHECK(r.header("Content-Type") == "application/x-protobuf");
  CHECK(r.body == trace_otlp::encode_request_proto(spans));
  CHECK(decode(r.body).find("name: \"GET /health-check/\"") != std::string::npos);
  CHECK(exporter.counters().rejected_spans == 2);
  CHECK(exporter.counters().exported_spans == 0);
}

TEST_CASE("protobuf export responses: empty, unknown fields skipped, truncated refused",
          "[trace_otlp][proto]") {
  auto ok = trace_otlp::decode_export_response_proto("");
  REQUIRE(ok.has_value());
  CHECK(ok->rejected_spans == 0);
  // An unknown varint field 3 before the partial success; an unknown field inside it.
  auto r = trace_otlp::decode_export_response_proto(
      std::string("\x18\x05\x0a\x06\x08\x07\x20\x01\x12\x00", 10));
  REQUIRE(r.has_value());
  CHECK(r->rejected_spans == 7);
  for (const auto& bad : {std::string("\x0a\x05\x08", 3), std::string("\x08", 1),
                          std::string("\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 11)}) {
    auto e = trace_otlp::decode_export_response_proto(bad);
    REQUIRE_FALSE(e.has_value());
    CHECK(e.error().message == "the collector's protobuf response is malformed");
  }
}
