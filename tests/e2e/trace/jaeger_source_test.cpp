// vmterm-trace against a scripted fake Jaeger serving the real fixtures: api_v3, the v1
// fallback, Jaeger's error shapes, and a Jaeger that is down, talks garbage or never answers.
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "http_test_server.hpp"
#include "trace_cli.hpp"

using namespace vmterm::test;
using namespace vmterm::test::trace_cli;
using namespace std::chrono_literals;

namespace {

scripted_response json_file(const std::string& name) {
  return {.status = 200,
          .headers = {{"Content-Type", "application/json"}},
          .body = read_file(fixture("jaeger/" + name))};
}

scripted_response json_body(unsigned status, std::string body) {
  return {.status = status, .headers = {{"Content-Type", "application/json"}}, .body = body};
}

/// Go's http.Error: text/plain with JSON inside and a trailing newline.
scripted_response go_error(unsigned status, std::string body) {
  return {.status = status,
          .headers = {{"Content-Type", "text/plain; charset=utf-8"}},
          .body = body + "\n"};
}

scripted_response not_found_page() { return go_error(404, "404 page not found"); }

const std::string v1_services = R"({"data":["checkout","telemetrygen"],"total":2,"limit":0,)"
                                R"("offset":0,"errors":null})";
const std::string v3_services = R"({"services":["checkout","frontend","telemetrygen"]})";
const std::string trace1 = "00000000000000000000000000000001";

std::vector<std::string> targets(const http_test_server& s) {
  std::vector<std::string> out;
  for (const auto& r : s.requests()) out.push_back(r.target);
  return out;
}

}  // namespace

TEST_CASE("services are listed through api_v3", "[trace]") {
  http_test_server jaeger;
  jaeger.push(json_file("v3_services_response.json"));
  const auto r = vmterm_trace({"--jaeger", jaeger.url(), "services"});
  CHECK(r.err == "");
  CHECK(r.exit_code == 0);
  CHECK(r.out == "foo\n");
  CHECK(targets(jaeger) == std::vector<std::string>{"/api/v3/services"});
}

TEST_CASE("VMTERM_JAEGER_URL with a base path is honoured", "[trace]") {
  http_test_server jaeger;
  jaeger.push(json_file("v3_services_response.json"));
  const auto r =
      vmterm_trace({"services"}, {.env = {{"VMTERM_JAEGER_URL", jaeger.url("/jaeger")}}});
  CHECK(r.exit_code == 0);
  CHECK(targets(jaeger) == std::vector<std::string>{"/jaeger/api/v3/services"});
}

TEST_CASE("without api_v3 (404) the v1 API answers", "[trace]") {
  http_test_server jaeger;
  jaeger.push(not_found_page());
  jaeger.push(json_body(200, v1_services));
  const auto r = vmterm_trace({"--jaeger", jaeger.url(), "services"});
  CHECK(r.err == "");
  CHECK(r.out == "checkout\ntelemetrygen\n");
  CHECK(targets(jaeger) == std::vector<std::string>{"/api/v3/services", "/api/services"});
}

TEST_CASE("operations come with their span kind", "[trace]") {
  http_test_server jaeger;
  jaeger.push(json_file("v3_services_response.json"));
  jaeger.push(json_file("v3_operations_response.json"));
  const auto r = vmterm_trace({"--jaeger", jaeger.url(), "operations", "foo", "--kind", "server"});
  CHECK(r.out == "get_users\tserver\n");
  CHECK(targets(jaeger).at(1) == "/api/v3/operations?service=foo&span_kind=server");
}

TEST_CASE("show fetches a trace through api_v3; --otlp passes it through untouched", "[trace]") {
  http_test_server jaeger;
  jaeger.set_fallback(json_file("v3_get_trace_response.json"));
  jaeger.push(json_file("v3_services_response.json"));
  auto r = vmterm_trace({"--jaeger", jaeger.url(), "show", trace1, "--width", "0"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("foobar") != std::string::npos);
  CHECK(targets(jaeger).at(1) == "/api/v3/traces/" + trace1);

  r = vmterm_trace({"--jaeger", jaeger.url(), "show", "1", "--otlp"});
  CHECK(r.exit_code == 2);  // "1" is no trace id
  jaeger.push(json_file("v3_services_response.json"));
  r = vmterm_trace({"--jaeger", jaeger.url(), "--otlp", "show", "0000000000000001"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == read_file(fixture("jaeger/v3_get_trace_response.json")));
}

TEST_CASE("show falls back to v1 /api/traces/{id} and reads its 16-hex ids", "[trace]") {
  http_test_server jaeger;
  jaeger.push(not_found_page());
  jaeger.push(json_file("v1_ui_trace_all_tag_types.json"));
  const auto r = vmterm_trace({"--jaeger", jaeger.url(), "--json", "show", "0000000000000001"});
  REQUIRE(r.exit_code == 0);
  CHECK(targets(jaeger).at(1) == "/api/traces/" + trace1);
  const auto j = nlohmann::json::parse(r.out.substr(0, r.out.find('\n')));
  CHECK(j["trace_id"] == trace1);
}

TEST_CASE("an empty search is 'no traces', exit 1: {} from trace-summaries", "[trace]") {
  http_test_server jaeger;
  jaeger.push(json_body(200, v3_services));
  jaeger.push(json_body(200, "{}"));
  const auto r = vmterm_trace({"--jaeger", jaeger.url(), "search", "--service", "checkout"});
  CHECK(r.exit_code == 1);
  CHECK(r.out == "");
  CHECK(r.err == "vmterm-trace: no traces for service 'checkout' in the last 1h\n");
  const auto target = targets(jaeger).at(1);
  CHECK(target.rfind("/api/v3/trace-summaries?query.service_name=checkout&query.start_time_min=",
                     0) == 0);
  CHECK(target.find("&query.start_time_max=") != std::string::npos);
  CHECK(targets(jaeger).size() == 2);
}

TEST_CASE("an empty api_v3 search (404 with JSON) is 'no traces', exit 1", "[trace]") {
  http_test_server jaeger;
  jaeger.push(json_body(200, v3_services));
  jaeger.push(not_found_page());  // Jaeger before v2.19: no trace-summaries
  jaeger.push(go_error(404, R"({"error":{"httpCode":404,"message":"No traces found"}})"));
  const auto r = vmterm_trace({"--jaeger", jaeger.url(), "search", "--service", "checkout"});
  CHECK(r.exit_code == 1);
  CHECK(r.out == "");
  CHECK(r.err == "vmterm-trace: no traces for service 'checkout' in the last 1h\n");
  const auto target = targets(jaeger).at(2);
  CHECK(target.rfind("/api/v3/traces?query.service_name=checkout&query.start_time_min=", 0) == 0);
  CHECK(target.find("&query.start_time_max=") != std::string::npos);
}

TEST_CASE("search lists traces from api_v3 trace-summaries", "[trace]") {
  http_test_server jaeger;
  jaeger.push(json_body(200, v3_services));
  jaeger.push(json_file("v3_trace_summaries_response.json"));
  auto r =
      vmterm_trace({"--jaeger", jaeger.url(), "--color", "never", "search", "--service", "frontend",
                    "--operation", "foobar", "--min-duration", "10ms", "--limit", "5"});
  CHECK(r.err == "");
  CHECK(r.exit_code == 0);
  CHECK(r.out == "1970-01-01T00:16:40.000000Z  frontend  HTTP GET /  1s  2 spans  1 error  " +
                     trace1 + "\n");
  REQUIRE(targets(jaeger).size() == 2);
  const auto target = targets(jaeger).at(1);
  CHECK(target.rfind("/api/v3/trace-summaries?query.service_name=frontend&", 0) == 0);
  CHECK(target.find("query.operation_name=foobar") != std::string::npos);
  CHECK(target.find("query.duration_min=10000000ns") != std::string::npos);
  CHECK(target.find("query.num_traces=5") != std::string::npos);
}

TEST_CASE("search falls back from trace-summaries (404, 501) to /api/v3/traces", "[trace]") {
  for (const auto& missing : {not_found_page(), go_error(501, "not implemented")}) {
    http_test_server jaeger;
    jaeger.push(json_body(200, v3_services));
    jaeger.push(missing);
    jaeger.push(json_file("v3_get_trace_response.json"));
    const auto r = vmterm_trace({"--jaeger", jaeger.url(), "search", "--service", "frontend"});
    CHECK(r.err == "");
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("foobar") != std::string::npos);
    CHECK(r.out.find(trace1) != std::string::npos);
    REQUIRE(targets(jaeger).size() == 3);
    CHECK(targets(jaeger).at(1).rfind("/api/v3/trace-summaries?", 0) == 0);
    CHECK(targets(jaeger).at(2).rfind("/api/v3/traces?query.service_name=frontend&", 0) == 0);
  }
}

TEST_CASE("search falls back to v1 when api_v3 has no search at all", "[trace]") {
  http_test_server jaeger;
  jaeger.push(json_body(200, v3_services));
  jaeger.push(not_found_page());  // trace-summaries
  jaeger.push(not_found_page());  // /api/v3/traces
  jaeger.push(json_file("v1_api_traces_response.json"));
  const auto r = vmterm_trace({"--jaeger", jaeger.url(), "search", "--service", "checkout"});
  CHECK(r.err == "");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("83a9efd15c1c98a977e0711cc93ee28b") != std::string::npos);
  REQUIRE(targets(jaeger).size() == 4);
  CHECK(targets(jaeger).at(3).rfind("/api/traces?service=checkout&start=", 0) == 0);
}

TEST_CASE("a failing trace-summaries is reported, not hidden by a fallback", "[trace]") {
  http_test_server jaeger;
  jaeger.push(json_body(200, v3_services));
  jaeger.push(go_error(500, R"({"error":{"httpCode":500,"message":"storage unavailable"}})"));
  const auto r = vmterm_trace({"--jaeger", jaeger.url(), "search", "--service", "checkout"});
  CHECK(r.exit_code == 1);
  const auto target = targets(jaeger).at(1);
  CHECK(r.err == "vmterm-trace: GET '" + jaeger.url(target) + "': HTTP 500: storage unavailable\n");
}

TEST_CASE("search --json reads the spans through api_v3 and pipes into jq", "[trace]") {
  http_test_server jaeger;
  jaeger.push(json_body(200, v3_services));
  jaeger.set_fallback(json_file("v3_get_trace_response.json"));
  auto r = vmterm_trace({"--jaeger", jaeger.url(), "search", "--service", "frontend", "--json"});
  CHECK(r.exit_code == 0);
  CHECK(targets(jaeger).at(1).rfind("/api/v3/traces?query.service_name=frontend&", 0) == 0);
  CHECK(nlohmann::json::parse(r.out.substr(0, r.out.find('\n')))["trace_id"] == trace1);

  const auto jq = find_program("jq");
  if (!jq) return;
  jaeger.push(json_body(200, v3_services));
  const auto cmd = (bin_dir() / "vmterm-trace").string() + " --jaeger " + jaeger.url() +
                   " search --service frontend --json | jq -r '.trace_id, .spans[0].name'";
  r = run({"sh", "-c", cmd}, clean());
  CHECK(r.exit_code == 0);
  CHECK(r.out == trace1 + "\nfoobar\n");
}

TEST_CASE("services and operations --json: one object each, for jq", "[trace]") {
  http_test_server jaeger;
  jaeger.push(json_body(200, v3_services));
  auto r = vmterm_trace({"--jaeger", jaeger.url(), "services", "--json"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == R"({"services":["checkout","frontend","telemetrygen"]})"
                 "\n");
  jaeger.push(json_body(200, v3_services));
  jaeger.push(json_body(
      200, R"({"operations":[{"name":"get_users","spanKind":"server"},{"name":"cache"}]})"));
  r = vmterm_trace({"--jaeger", jaeger.url(), "--json", "operations", "checkout"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == R"({"service":"checkout","operations":[{"name":"cache","kind":null},)"
                 R"({"name":"get_users","kind":"server"}]})"
                 "\n");

  const auto jq = find_program("jq");
  if (!jq) return;
  jaeger.push(json_body(200, v3_services));
  jaeger.push(json_file("v3_operations_response.json"));
  const auto cmd = (bin_dir() / "vmterm-trace").string() + " --jaeger " + jaeger.url() +
                   " operations foo --json | jq -r '.operations[] | \"\\(.name) \\(.kind)\"'";
  r = run({"sh", "-c", cmd}, clean());
  CHECK(r.exit_code == 0);
  CHECK(r.out == "get_users server\n");
}

TEST_CASE("a v1 answer with only errors[] quotes Jaeger's message", "[trace]") {
  const std::string reported =
      R"({"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":500,"msg":"storage unavailable"}]})";
  http_test_server jaeger;
  jaeger.push(not_found_page());
  jaeger.push(json_body(200, reported));
  auto r = vmterm_trace({"--jaeger", jaeger.url(), "services"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "vmterm-trace: GET '" + jaeger.url("/api/services") +
                     "': HTTP 200 but Jaeger reported an error: storage unavailable (code 500)\n");

  jaeger.push(not_found_page());
  jaeger.push(json_body(200, reported));
  r = vmterm_trace({"--jaeger", jaeger.url(), "show", trace1});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "vmterm-trace: GET '" + jaeger.url("/api/traces/" + trace1) +
                     "': HTTP 200 but Jaeger reported an error: storage unavailable (code 500)\n");
}

TEST_CASE("search through v1 sends µs times and reads the envelope", "[trace]") {
  http_test_server jaeger;
  jaeger.push(not_found_page());
  jaeger.push(json_body(200, v1_services));
  jaeger.push(json_file("v1_api_traces_response.json"));
  const auto r = vmterm_trace(
      {"--jaeger", jaeger.url(), "search", "--service", "telemetrygen", "--since", "2h"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("83a9efd15c1c98a977e0711cc93ee28b") != std::string::npos);
  const auto target = targets(jaeger).at(2);
  CHECK(target.rfind("/api/traces?service=telemetrygen&start=", 0) == 0);
  CHECK(target.find("&limit=20") != std::string::npos);
}

TEST_CASE("an unknown service suggests the nearest known one", "[trace]") {
  http_test_server jaeger;
  jaeger.push(json_body(200, v3_services));
  const auto r = vmterm_trace({"--jaeger", jaeger.url(), "search", "--service", "chekout"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "vmterm-trace: unknown service 'chekout', did you mean 'checkout'?\n");
}

TEST_CASE("a Jaeger error served as text/plain JSON is reported with its message", "[trace]") {
  http_test_server jaeger;
  jaeger.push(json_body(200, v3_services));
  jaeger.push(go_error(500, R"({"error":{"httpCode":500,"message":"storage unavailable"}})"));
  const auto r = vmterm_trace({"--jaeger", jaeger.url(), "show", trace1});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "vmterm-trace: GET '" + jaeger.url("/api/v3/traces/" + trace1) +
                     "': HTTP 500: storage unavailable\n");
}

TEST_CASE("a trace Jaeger does not have is named", "[trace]") {
  http_test_server jaeger;
  jaeger.push(json_body(200, v3_services));
  jaeger.push(go_error(404, R"({"error":{"httpCode":404,"message":"trace not found"}})"));
  const auto r = vmterm_trace({"--jaeger", jaeger.url(), "show", trace1});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "vmterm-trace: trace '" + trace1 + "' not found in '" + jaeger.url("/") + "'\n");
}

TEST_CASE("a server that answers garbage gets one line naming the URL", "[trace]") {
  http_test_server jaeger;
  jaeger.push(
      {.status = 200, .headers = {{"Content-Type", "text/html"}}, .body = "<html>hi</html>"});
  const auto r = vmterm_trace({"--jaeger", jaeger.url(), "services"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "vmterm-trace: GET '" + jaeger.url("/api/v3/services") +
                     "': HTTP 200 with a body that is not Jaeger JSON ('<html>hi</html>'); is "
                     "--jaeger the URL of Jaeger's query service?\n");
}

TEST_CASE("a Jaeger that is down: connection refused, one line", "[trace]") {
  const auto r = vmterm_trace({"--jaeger", "http://127.0.0.1:1", "services"});
  CHECK(r.exit_code == 1);
  CHECK(r.out == "");
  CHECK(r.err ==
        "vmterm-trace: GET 'http://127.0.0.1:1/api/v3/services': connection refused; start "
        "Jaeger or set --jaeger\n");
}

TEST_CASE("a server that never answers: exit 1 within --timeout", "[trace]") {
  http_test_server jaeger;
  jaeger.set_fallback({.status = 200, .headers = {}, .body = "{}", .delay = 60s});
  const auto started = std::chrono::steady_clock::now();
  const auto r =
      vmterm_trace({"--jaeger", jaeger.url(), "--timeout", "500ms", "services"}, {.timeout = 20s});
  const auto took = std::chrono::steady_clock::now() - started;
  CHECK_FALSE(r.timed_out);
  CHECK(r.exit_code == 1);
  CHECK(took < 5s);
  CHECK(r.err == "vmterm-trace: GET '" + jaeger.url("/api/v3/services") +
                     "': no response within 500 ms; is Jaeger overloaded? raise --timeout\n");
}

TEST_CASE("its own HTTP calls carry a traceparent of its own trace", "[trace]") {
  http_test_server jaeger;
  jaeger.push(json_body(200, v3_services));
  jaeger.set_fallback(json_file("v3_get_trace_response.json"));
  const auto r = vmterm_trace({"--jaeger", jaeger.url(), "show", trace1},
                              {.env = {{"OTEL_TRACES_EXPORTER", "console"}}});
  CHECK(r.exit_code == 0);
  const auto reqs = jaeger.requests();
  REQUIRE(reqs.size() == 2);
  const auto tp = reqs[1].header("traceparent");
  REQUIRE(tp);
  CHECK(tp->find(trace1) == std::string::npos);  // never the displayed trace
}

TEST_CASE("usage errors exit 2", "[trace]") {
  CHECK(vmterm_trace({}).exit_code == 2);
  CHECK(vmterm_trace({"search", "--limit", "many"}).exit_code == 2);
  CHECK(vmterm_trace({"--color", "pink", "services"}).exit_code == 2);
  const auto r = vmterm_trace(
      {"--jaeger", "http://127.0.0.1:1", "search", "--service", "x", "--min-duration", "soon"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.rfind("vmterm-trace: --min-duration 'soon': ", 0) == 0);
}
