#include "trace_otlp/otlp_http_options.hpp"

#include <catch2/catch.hpp>

#include "env_test.hpp"

namespace {
using namespace vmterm;
using namespace std::chrono_literals;
using test::fake_env;
using headers = std::vector<std::pair<std::string, std::string>>;

trace_otlp::options_from_env_result read(std::map<std::string, std::string> vars) {
  return trace_otlp::otlp_http_options_from_env(fake_env(std::move(vars)));
}
}  // namespace

TEST_CASE("Without OTEL_EXPORTER_OTLP_* the exporter posts to localhost:4318", "[trace_otlp]") {
  const auto r = read({});
  CHECK(r.options.url == "http://localhost:4318/v1/traces");
  CHECK(r.options.timeout == 10000ms);
  CHECK_FALSE(r.options.gzip);
  CHECK(r.options.headers.empty());
  CHECK(r.warnings.empty());
}

TEST_CASE("The generic endpoint gets /v1/traces appended with exactly one slash", "[trace_otlp]") {
  CHECK(read({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"}}).options.url ==
        "http://c:4318/v1/traces");
  CHECK(read({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/"}}).options.url ==
        "http://c:4318/v1/traces");
  CHECK(read({{"OTEL_EXPORTER_OTLP_ENDPOINT", "https://c/otlp/"}}).options.url ==
        "https://c/otlp/v1/traces");
  CHECK(read({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:80/base?x=1"}}).options.url ==
        "http://c/base/v1/traces?x=1");
}

TEST_CASE("The traces endpoint is used as is and wins over the generic one", "[trace_otlp]") {
  CHECK(read({{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318"},
              {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://other:1"}})
            .options.url == "http://c:4318/");
  CHECK(read({{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/custom/path"}}).options.url ==
        "http://c:4318/custom/path");
  // Empty counts as unset.
  CHECK(read({{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", ""},
              {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://g:1"}})
            .options.url == "http://g:1/v1/traces");
}

TEST_CASE("Bad endpoints warn and fall back", "[trace_otlp]") {
  const auto r = read({{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "localhost:4318"},
                       {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://g:1"}});
  CHECK(r.options.url == "http://g:1/v1/traces");
  CHECK(r.warnings == std::vector<std::string>{
                          "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: parse URL 'localhost:4318': scheme "
                          "'localhost' is not supported; use http:// or https://; ignored"});
  const auto g = read({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://:80"}});
  CHECK(g.options.url == "http://localhost:4318/v1/traces");
  CHECK(g.warnings ==
        std::vector<std::string>{"OTEL_EXPORTER_OTLP_ENDPOINT: parse URL 'http://:80': the URL has "
                                 "no host; using the default http://localhost:4318/v1/traces"});
}

TEST_CASE("Headers are a percent-decoded key=value list; the traces variable replaces the generic",
          "[trace_otlp]") {
  CHECK(read({{"OTEL_EXPORTER_OTLP_HEADERS", "api-key=a%20b%2Cc , x=1=2,,"}}).options.headers ==
        headers{{"api-key", "a b,c"}, {"x", "1=2"}});
  CHECK(read({{"OTEL_EXPORTER_OTLP_HEADERS", "a=1"}, {"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "b=2"}})
            .options.headers == headers{{"b", "2"}});
}

TEST_CASE("Bad header entries are skipped with a warning that never shows their values",
          "[trace_otlp]") {
  const auto r = read({{"OTEL_EXPORTER_OTLP_HEADERS", "secret,ok=1,=v,k=%zz,bad key=v,k=a%0Db"}});
  CHECK(r.options.headers == headers{{"ok", "1"}});
  CHECK(r.warnings == std::vector<std::string>{
                          "OTEL_EXPORTER_OTLP_HEADERS: entry 1 is not key=value; ignored",
                          "OTEL_EXPORTER_OTLP_HEADERS: entry 3 has an invalid header name; ignored",
                          "OTEL_EXPORTER_OTLP_HEADERS: entry 4 has a bad %-escape; ignored",
                          "OTEL_EXPORTER_OTLP_HEADERS: entry 5 has an invalid header name; ignored",
                          "OTEL_EXPORTER_OTLP_HEADERS: entry 6 has a line break in its value; "
                          "ignored"});
}

TEST_CASE("Timeout is whole milliseconds; bad or negative values warn and use 10000",
          "[trace_otlp]") {
  CHECK(read({{"OTEL_EXPORTER_OTLP_TIMEOUT", "2500"}}).options.timeout == 2500ms);
  CHECK(read({{"OTEL_EXPORTER_OTLP_TIMEOUT", "0"}}).options.timeout == 0ms);
  CHECK(read({{"OTEL_EXPORTER_OTLP_TIMEOUT", "1"}, {"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "7"}})
            .options.timeout == 7ms);
  const auto r = read({{"OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "-5"}});
  CHECK(r.options.timeout == 10000ms);
  CHECK(r.warnings == std::vector<std::string>{
                          "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT='-5': not a whole, non-negative "
                          "number of milliseconds; using the default 10000"});
  CHECK(read({{"OTEL_EXPORTER_OTLP_TIMEOUT", "10s"}}).warnings.size() == 1);
}

TEST_CASE("Compression gzip or none; anything else warns", "[trace_otlp]") {
  CHECK(read({{"OTEL_EXPORTER_OTLP_COMPRESSION", "GZIP"}}).options.gzip);
  CHECK_FALSE(read({{"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "none"},
                    {"OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"}})
                  .options.gzip);
  const auto r = read({{"OTEL_EXPORTER_OTLP_COMPRESSION", "br"}});
  CHECK_FALSE(r.options.gzip);
  CHECK(r.warnings == std::vector<std::string>{"OTEL_EXPORTER_OTLP_COMPRESSION='br': expected "
                                               "gzip or none; using the default none"});
}

TEST_CASE("http/protobuf is the default; http/json and grpc are spoken; anything else warns",
          "[trace_otlp]") {
  using vmterm::trace_otlp::otlp_protocol;
  CHECK(read({}).options.protocol == otlp_protocol::http_protobuf);
  auto j = read({{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"}});
  CHECK(j.warnings.empty());
  CHECK(j.options.protocol == otlp_protocol::http_json);
  auto pb = read({{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"},
                  {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", " http/protobuf "}});
  CHECK(pb.warnings.empty());
  CHECK(pb.options.protocol == otlp_protocol::http_protobuf);
  const auto g = read({{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "GRPC"}});
  CHECK(g.warnings.empty());
  CHECK(g.options.protocol == otlp_protocol::grpc);
  const auto r = read({{"OTEL_EXPORTER_OTLP_PROTOCOL", "thrift"}});
  CHECK(r.options.protocol == otlp_protocol::http_protobuf);
  CHECK(r.warnings == std::vector<std::string>{"OTEL_EXPORTER_OTLP_PROTOCOL='thrift': expected "
                                               "http/protobuf, http/json or grpc; sending "
                                               "http/protobuf"});
}

TEST_CASE("over gRPC the endpoint is used as is, and the default is port 4317", "[trace_otlp]") {
  CHECK(read({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}}).options.url == "http://localhost:4317");
  CHECK(read({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
              {"OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4317"}})
            .options.url == "https://collector:4317/");
  CHECK(read({{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "grpc"},
              {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:14317"}})
            .options.url == "http://c:14317/");
  // Over HTTP the generic endpoint still gets /v1/traces.
  CHECK(read({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"}}).options.url ==
        "http://c:4318/v1/traces");
}
