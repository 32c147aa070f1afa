#include "trace_otlp/install_from_env.hpp"

#include <catch2/catch.hpp>

#include "env_test.hpp"
#include "trace/console_exporter.hpp"
#include "trace_otlp/file_exporter.hpp"
#include "trace_otlp/otlp_http_exporter.hpp"

namespace {
using namespace vmterm;
using test::fake_env;

struct picked {
  std::unique_ptr<trace::exporter> exporter;
  std::vector<std::string> warnings;
};

picked pick(std::map<std::string, std::string> vars) {
  picked p;
  p.exporter = trace_otlp::make_exporter_from_env(
      fake_env(std::move(vars)), [&p](const std::string& w) { p.warnings.push_back(w); });
  return p;
}

template <class T>
const T* as(const picked& p) {
  return dynamic_cast<const T*>(p.exporter.get());
}
}  // namespace

TEST_CASE("OTEL_TRACES_EXPORTER defaults to otlp", "[trace_otlp]") {
  const auto p = pick({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"}});
  REQUIRE(as<trace_otlp::otlp_http_exporter>(p) != nullptr);
  CHECK(as<trace_otlp::otlp_http_exporter>(p)->options().url == "http://collector:4318/v1/traces");
  CHECK(p.warnings.empty());
}

TEST_CASE("OTEL_TRACES_EXPORTER selects console, none and file", "[trace_otlp]") {
  CHECK(as<trace::console_exporter>(pick({{"OTEL_TRACES_EXPORTER", "Console"}})) != nullptr);
  CHECK(pick({{"OTEL_TRACES_EXPORTER", "none"}}).exporter == nullptr);
  const auto f = pick({{"OTEL_TRACES_EXPORTER", "file"}});
  REQUIRE(as<trace_otlp::file_exporter>(f) != nullptr);
  CHECK(as<trace_otlp::file_exporter>(f)->path() == "./var/traces.jsonl");
  const auto g = pick({{"OTEL_TRACES_EXPORTER", "file"}, {"VMTERM_TRACES_FILE", "/tmp/x.jsonl"}});
  CHECK(as<trace_otlp::file_exporter>(g)->path() == "/tmp/x.jsonl");
}

TEST_CASE("An unknown exporter warns and falls back to otlp", "[trace_otlp]") {
  const auto p = pick({{"OTEL_TRACES_EXPORTER", "zipkin"}});
  CHECK(as<trace_otlp::otlp_http_exporter>(p) != nullptr);
  CHECK(p.warnings == std::vector<std::string>{"OTEL_TRACES_EXPORTER='zipkin': unknown exporter; "
                                               "use otlp, console, file or none; using otlp"});
  const auto list = pick({{"OTEL_TRACES_EXPORTER", "console,otlp"}});
  CHECK(as<trace::console_exporter>(list) != nullptr);
  CHECK(list.warnings == std::vector<std::string>{"OTEL_TRACES_EXPORTER='console,otlp': only one "
                                                  "exporter is supported; using 'console'"});
}

TEST_CASE("Exporter warnings from OTEL_EXPORTER_OTLP_* reach the warning sink", "[trace_otlp]") {
  const auto p = pick({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc+json"}});
  CHECK(p.warnings == std::vector<std::string>{"OTEL_EXPORTER_OTLP_PROTOCOL='grpc+json': expected "
                                               "http/protobuf, http/json or grpc; sending "
                                               "http/protobuf"});
}

TEST_CASE("OTEL_SDK_DISABLED=true and OTEL_TRACES_EXPORTER=none leave tracing off",
          "[trace_otlp]") {
  std::vector<std::string> warnings;
  const trace::warn_fn warn = [&](const std::string& w) { warnings.push_back(w); };
  auto off = trace_otlp::install_from_env(
      "t", fake_env({{"OTEL_SDK_DISABLED", "TRUE"}, {"OTEL_TRACES_EXPORTER", "bogus"}}), warn);
  CHECK_FALSE(off.enabled());
  CHECK(warnings.empty());
  auto none = trace_otlp::install_from_env("t", fake_env({{"OTEL_TRACES_EXPORTER", "none"}}), warn);
  CHECK_FALSE(none.enabled());
  auto on =
      trace_otlp::install_from_env("t", fake_env({{"OTEL_TRACES_EXPORTER", "console"}}), warn);
  CHECK(on.enabled());
  CHECK(warnings.empty());
}
