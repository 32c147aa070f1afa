// vmterm-trace reading files: OTLP JSON documents and lines, Jaeger v1 JSON, stdin, and the
// local stack's default trace file; exact tree text, JSON for jq, OTLP passed through.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "small_trace.hpp"
#include "trace_cli.hpp"

using namespace vmterm::test;
using namespace vmterm::test::trace_cli;

namespace {

struct small_file {
  temp_dir dir{"vmterm-trace"};
  std::filesystem::path path = dir / "traces.jsonl";
  small_file() { write_file(path, small_trace_line()); }
};

// At 80 columns the self-time column gives way so that the waterfall and the notes fit.
const std::string small_tree =
    "trace 4bf92f3577b34da6a3ce929d0e0e4736  2024-01-31T05:28:29.000000Z  12ms\n"
    "  3 spans, 1 error\n"
    "GET /cart       checkout  server        +0µs    12ms ◆ │████████████│\n"
    "├─ SELECT cart  db        client        +1ms     8ms ◆ │ ████████   │\n"
    "└─ publish      checkout  producer     +10ms   400µs ◆ │          █ │  ✗ timeout\n";

}  // namespace

TEST_CASE("show prints the exact tree of a small OTLP trace", "[trace]") {
  small_file f;
  const auto r = vmterm_trace(
      {"--file", f.path.string(), "--color", "never", "--width", "80", "show", small_trace_id});
  CHECK(r.err == "");
  CHECK(r.exit_code == 0);
  CHECK(r.out == small_tree);
}

TEST_CASE("COLUMNS sets the width and colour stays off when stdout is no terminal", "[trace]") {
  small_file f;
  const auto r = vmterm_trace({"--file", f.path.string(), "show", small_trace_id},
                              {.env = {{"COLUMNS", "80"}}});
  CHECK(r.out == small_tree);
  const auto coloured = vmterm_trace(
      {"--file", f.path.string(), "--color", "always", "--width", "80", "show", small_trace_id});
  CHECK(coloured.out.find("\x1b[") != std::string::npos);
}

TEST_CASE("the local stack's trace file is the default source", "[trace]") {
  small_file f;
  std::filesystem::create_directories(f.dir / "var");
  std::filesystem::copy_file(f.path, f.dir / "var" / "traces.jsonl");
  const auto r = vmterm_trace({"services"}, {.cwd = f.dir.path()});
  CHECK(r.err == "");
  CHECK(r.out == "checkout\ndb\n");
  const auto env =
      vmterm_trace({"operations", "checkout"}, {.env = {{"VMTERM_TRACES_FILE", f.path.string()}}});
  CHECK(env.out == "GET /cart\tserver\npublish\tproducer\n");
}

TEST_CASE("stdin is read with --file -", "[trace]") {
  const auto r =
      vmterm_trace({"--file", "-", "search", "--service", "db"}, {.input = small_trace_line()});
  CHECK(r.exit_code == 0);
  CHECK(r.out ==
        "2024-01-31T05:28:29.000000Z  checkout  GET /cart  12ms  3 spans  1 error  "
        "4bf92f3577b34da6a3ce929d0e0e4736\n");
}

TEST_CASE("json output (--json) is one object per trace that parses back", "[trace]") {
  small_file f;
  const auto r = vmterm_trace({"--file", f.path.string(), "--json", "show", "--errors"});
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["trace_id"] == small_trace_id);
  CHECK(j["span_count"] == 3);
  CHECK(j["error_count"] == 1);
  REQUIRE(j["spans"].size() == 2);  // the error span and its ancestor
  CHECK(j["spans"][1]["name"] == "publish");
  CHECK(j["spans"][1]["status"]["message"] == "timeout");
  CHECK(j["spans"][1]["parent_span_id"] == "00f067aa0ba902b7");
}

TEST_CASE("otlp output (--otlp) passes OTLP JSON through byte for byte", "[trace]") {
  small_file f;
  auto r = vmterm_trace({"--file", f.path.string(), "--otlp", "show", small_trace_id});
  CHECK(r.out == small_trace_line());
  const auto doc = fixture("otlp/trace.json");
  r = vmterm_trace({"--file", doc.string(), "--otlp", "show", "5b8efff798038103d269b633813fc60c"});
  CHECK(r.exit_code == 0);
  CHECK(r.out == read_file(doc));
}

TEST_CASE("stats over a file: per service and operation", "[trace]") {
  small_file f;
  const auto r = vmterm_trace({"--file", f.path.string(), "stats", "--service", "checkout"});
  CHECK(r.out ==
        "SERVICE   OPERATION    COUNT  ERRORS    P50    P95    P99    MAX   SELF\n"
        "checkout  GET /cart        1       0   12ms   12ms   12ms   12ms  3.6ms\n"
        "checkout  publish          1       1  400µs  400µs  400µs  400µs  400µs\n"
        "db        SELECT cart      1       0    8ms    8ms    8ms    8ms    8ms\n");
}

TEST_CASE("every shared fixture reads and renders", "[trace]") {
  for (const char* name :
       {"jaeger/v1_api_traces_response.json", "jaeger/v1_ui_trace_all_tag_types.json",
        "jaeger/v3_get_trace_response.json", "jaeger/otlp_tracesdata_links_attributes.json",
        "otlp/trace.json"}) {
    INFO(name);
    const auto r = vmterm_trace({"--file", fixture(name).string(), "-v", "show"});
    CHECK(r.err == "");
    CHECK(r.exit_code == 0);
    CHECK(r.out.rfind("trace ", 0) == 0);
  }
}

TEST_CASE("file sources: no match, unknown names, missing files", "[trace]") {
  small_file f;
  const auto file = f.path.string();
  auto r = vmterm_trace({"--file", file, "search", "--service", "db", "--operation", "nope"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "vmterm-trace: no traces for service 'db' in '" + file + "'\n");
  r = vmterm_trace({"--file", file, "search", "--service", "chekout"});
  CHECK(r.err == "vmterm-trace: unknown service 'chekout', did you mean 'checkout'?\n");
  r = vmterm_trace({"--file", file, "operations", "chekout"});
  CHECK(r.err == "vmterm-trace: unknown service 'chekout', did you mean 'checkout'?\n");
  r = vmterm_trace({"--file", file, "show", "0000000000000001"});
  CHECK(r.exit_code == 1);
  CHECK(r.err ==
        "vmterm-trace: trace '00000000000000000000000000000001' not found in '" + file + "'\n");
  r = vmterm_trace({"--file", "/nonexistent/t.jsonl", "services"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "vmterm-trace: read '/nonexistent/t.jsonl': No such file or directory\n");
  r = vmterm_trace({"--file", file, "show", "xyz"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vmterm-trace: show 'xyz': not a trace id; expected 32 or 16 hex digits\n");
}

TEST_CASE("its own file exporter never writes into the file being read", "[trace]") {
  small_file f;
  const auto r = vmterm_trace(
      {"--file", f.path.string(), "services"},
      {.env = {{"OTEL_TRACES_EXPORTER", "file"}, {"VMTERM_TRACES_FILE", f.path.string()}}});
  CHECK(r.exit_code == 0);
  CHECK(read_file(f.path) == small_trace_line());
}
