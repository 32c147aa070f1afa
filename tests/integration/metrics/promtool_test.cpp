/// Real exposition output checked by Debian's `promtool check metrics` (the Prometheus
/// project's own parser and linter): it must parse, and the linter must find nothing.

#include <catch2/catch.hpp>

#include "metrics/exposition.hpp"
#include "metrics/process_metrics.hpp"
#include "metrics/registry.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

using namespace vmterm;
using namespace vmterm::metrics;

namespace {

/// A registry with every metric type, labels whose values need escaping, and process metrics.
std::string full_exposition() {
  registry reg;
  auto& requests = reg.add_counter("vmterm_http_requests_total",
                                   "HTTP requests handled, by method and status \\ code.\n"
                                   "Second line.",
                                   {"method", "code", "path"});
  requests.labels("GET", "200", "/").inc();
  requests.labels("GET", "404", "/a \"quoted\" \\ path\nwith newline").inc(3);
  requests.labels("POST", "500", "/x?y=1").inc(0.5);
  requests.labels("GET", "400", "/caf\xc3\xa9/\xff\xfe").inc();  // invalid UTF-8 from a path
  auto& clients = reg.add_gauge("vmterm_ws_clients", "Open terminal sessions.", {"backend"});
  clients.labels("pty").set(2);
  clients.labels("ssh").set(-1.25);
  reg.add_gauge("vmterm_build_info", "Build information.", {"version"}).labels("0.1.0").set(1);
  auto& latency = reg.add_histogram("vmterm_http_request_duration_seconds", "HTTP request latency.",
                                    {"method"}, buckets::http_duration_seconds());
  for (double v : {0.001, 0.02, 0.3, 4.0, 50.0}) latency.labels("GET").observe(v);
  latency.labels("PUT").observe(0.1);
  auto& sizes = reg.add_histogram("vmterm_frame_size_bytes", "Terminal frame sizes.", {},
                                  buckets::exponential(16, 4, 6));
  sizes.labels().observe(100);
  (void)reg.add_counter("vmterm_errors_total", "Errors.");  // zero, no labels
  add_process_metrics(reg);
  return reg.expose();
}

test::run_result promtool_check(const std::string& text) {
  const auto promtool = test::find_program("promtool");
  REQUIRE(promtool);
  test::run_options opt;
  opt.input = text;
  return test::run({promtool->string(), "check", "metrics"}, opt);
}

}  // namespace

TEST_CASE("promtool accepts real exposition output with no lint warnings",
          "[integration][metrics][promtool]") {
  test::temp_dir dir("vmterm-metrics");
  const auto file = dir / "metrics.txt";
  test::write_file(file, full_exposition());
  const std::string text = test::read_file(file);
  REQUIRE(text.find("process_start_time_seconds ") != std::string::npos);
  REQUIRE(text.find("le=\"+Inf\"") != std::string::npos);
  REQUIRE(text.find("\\\"quoted\\\" \\\\ path\\nwith") != std::string::npos);
  const auto r = promtool_check(text);
  INFO("exposition:\n" << text);
  INFO("promtool stdout: " << r.out);
  INFO("promtool stderr: " << r.err);
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
  CHECK(r.err.empty());
}

TEST_CASE("promtool's linter is really consulted: a bad family is reported",
          "[integration][metrics][promtool]") {
  // Written without the registry, which would refuse these names.
  const std::vector<family_snapshot> bad = {
      {"requests", "Requests.", metric_type::counter, {{"requests", {}, 1}}},
      {"latency_milliseconds", "Latency.", metric_type::gauge, {{"latency_milliseconds", {}, 1}}},
  };
  const auto r = promtool_check(to_text(bad));
  INFO("promtool stdout: " << r.out << "\nstderr: " << r.err);
  const std::string all = r.out + r.err;
  CHECK(r.exit_code != 0);
  CHECK(all.find("counter metrics should have \"_total\" suffix") != std::string::npos);
}
