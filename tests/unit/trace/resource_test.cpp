#include "trace/resource.hpp"

#include <unistd.h>
#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "trace/console_exporter.hpp"

using namespace vmterm::trace;

namespace {
std::string str(const resource& r, std::string_view key) {
  const auto* v = find_attribute(r.attrs, key);
  return v != nullptr ? std::get<std::string>(*v) : std::string("<absent>");
}
}  // namespace

TEST_CASE("OTEL_RESOURCE_ATTRIBUTES parses, percent-decodes and skips bad entries",
          "[trace][resource]") {
  auto p = parse_resource_attributes(
      "service.name=checkout, deployment.environment = prod ,note=a%2Cb%3Dc,bad,=x,k=%zz,,");
  REQUIRE(p.attrs.size() == 3);
  CHECK(p.attrs[0] == attribute{"service.name", std::string("checkout")});
  CHECK(p.attrs[1] == attribute{"deployment.environment", std::string("prod")});
  CHECK(p.attrs[2] == attribute{"note", std::string("a,b=c")});
  REQUIRE(p.errors.size() == 3);
  CHECK(p.errors[0] == "entry 'bad' has no '='");
  CHECK(p.errors[1] == "entry '=x' has an empty key");
  CHECK(p.errors[2] == "entry 'k=%zz' has a bad %-escape");
  CHECK(parse_resource_attributes("k=%4").errors.size() == 1);
}

TEST_CASE("the resource has detected attributes and the tool name as default service",
          "[trace][resource]") {
  test::warnings w;
  auto r = make_resource("vmterm-health", test::fake_env({}), w.fn());
  CHECK(str(*r, "service.name") == "vmterm-health");
  CHECK(str(*r, "telemetry.sdk.name") == "vmterm");
  CHECK(str(*r, "telemetry.sdk.language") == "cpp");
  CHECK(str(*r, "telemetry.sdk.version") == std::string(sdk_version()));
  CHECK(str(*r, "service.version") == std::string(sdk_version()));
  CHECK(str(*r, "service.instance.id").size() == 36);
  CHECK(str(*r, "host.name") != "<absent>");
  CHECK(str(*r, "process.executable.name") == "unit_trace");
  CHECK(*find_attribute(r->attrs, "process.pid") == attribute_value(std::int64_t{::getpid()}));
  CHECK(w.lines->empty());
  auto other = make_resource("x", test::fake_env({}), w.fn());
  CHECK(str(*other, "service.instance.id") != str(*r, "service.instance.id"));
}

TEST_CASE("OTEL_SERVICE_NAME wins over OTEL_RESOURCE_ATTRIBUTES, which wins over the default",
          "[trace][resource]") {
  test::warnings w;
  auto from_attrs = make_resource(
      "tool", test::fake_env({{"OTEL_RESOURCE_ATTRIBUTES", "service.name=a,team=core,oops"}}),
      w.fn());
  CHECK(str(*from_attrs, "service.name") == "a");
  CHECK(str(*from_attrs, "team") == "core");
  REQUIRE(w.lines->size() == 1);
  CHECK(w.lines->at(0) == "OTEL_RESOURCE_ATTRIBUTES: entry 'oops' has no '='; skipping it");
  auto both = make_resource(
      "tool",
      test::fake_env({{"OTEL_RESOURCE_ATTRIBUTES", "service.name=a"}, {"OTEL_SERVICE_NAME", "b"}}),
      w.fn());
  CHECK(str(*both, "service.name") == "b");
  auto empty = make_resource("tool", test::fake_env({{"OTEL_SERVICE_NAME", ""}}), w.fn());
  CHECK(str(*empty, "service.name") == "tool");
}

TEST_CASE("the console exporter prints one readable block per span", "[trace][console]") {
  span_data s;
  s.trace = *trace_id::from_hex("4bf92f3577b34da6a3ce929d0e0e4736");
  s.span = *span_id::from_hex("00f067aa0ba902b7");
  s.name = "GET /health-check/";
  s.kind = span_kind::server;
  s.start_unix_nano = 1000;
  s.end_unix_nano = 1'251'000;
  s.status = {status_code::error, "boom"};
  s.attrs.push_back({"http.response.status_code", std::int64_t{500}});
  s.attrs.push_back({"tags", std::vector<std::string>{"a", "b"}});
  s.events.push_back(event{"exception", 501'000, {{"exception.type", std::string("E")}}, 0});
  CHECK(format_span(s) ==
        "span GET /health-check/ server trace=4bf92f3577b34da6a3ce929d0e0e4736 "
        "span=00f067aa0ba902b7 1.250ms status=error: boom\n"
        "  http.response.status_code=500\n"
        "  tags=[\"a\", \"b\"]\n"
        "  event exception +0.500ms\n"
        "    exception.type=\"E\"\n");
  std::ostringstream out;
  console_exporter exp(&out);
  CHECK(exp.export_spans(std::span<const span_data>(&s, 1)) == export_result::success);
  CHECK(out.str() == format_span(s));
  exp.shutdown(std::chrono::seconds(1));
  CHECK(exp.export_spans(std::span<const span_data>(&s, 1)) == export_result::failure);
}
