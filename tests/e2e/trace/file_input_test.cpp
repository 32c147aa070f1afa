// Inputs that are not trace files, or not whole ones: a directory, endless devices and
// streams, and JSON lines files cut mid-line (a live or crashed traces.jsonl), made from the
// shared OTLP fixture. Each run is bounded in time and ends with a documented exit code.
#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "trace_cli.hpp"

using namespace vmterm::test;
using namespace vmterm::test::trace_cli;
using namespace std::chrono_literals;

namespace {

constexpr const char* formats = "OTLP JSON, OTLP JSON lines or Jaeger v1 JSON";

/// The shared OTLP fixture as one JSON line (with its newline), as the file exporters write.
std::string fixture_line() {
  return nlohmann::json::parse(read_file(fixture("otlp/trace.json"))).dump() + "\n";
}

struct lines_file {
  temp_dir dir{"vmterm-trace"};
  std::filesystem::path path = dir / "traces.jsonl";
  explicit lines_file(const std::string& text) { write_file(path, text); }
};

}  // namespace

TEST_CASE("a directory is refused with a clear message", "[trace]") {
  const auto r = vmterm_trace({"--file", "/etc", "services"}, {.timeout = 10s});
  CHECK(r.err == "vmterm-trace: read '/etc': is a directory; give a file of traces (" +
                     std::string(formats) + ")\n");
  CHECK(r.exit_code == 1);
  CHECK_FALSE(r.timed_out);
}

TEST_CASE("/dev/zero and /dev/urandom are refused at their first byte", "[trace]") {
  const auto start = std::chrono::steady_clock::now();
  auto r = vmterm_trace({"--file", "/dev/zero", "show"}, {.timeout = 10s});
  CHECK(r.err ==
        "vmterm-trace: read '/dev/zero': not JSON: it starts with byte 0x00; give a "
        "file of traces (" +
            std::string(formats) + ")\n");
  CHECK(r.exit_code == 1);
  // One run in 128 or so, /dev/urandom starts with '{' or '[' (after any whitespace): that is
  // the start of a JSON document, read on up to --max-input (1 GiB by default: 8 s here, which
  // made this test flaky); a small limit keeps that case short, with its own message.
  r = vmterm_trace({"--file", "/dev/urandom", "--max-input", "1MiB", "services"}, {.timeout = 10s});
  const std::string prefix = "vmterm-trace: read '/dev/urandom': ";
  CHECK((r.err.rfind(prefix + "not JSON: it starts with ", 0) == 0 ||
         r.err == prefix + "more than 1 MiB of input, the limit; give a smaller file, or raise "
                           "--max-input\n"));
  CHECK(r.exit_code == 1);
  CHECK_FALSE(r.timed_out);
  CHECK(std::chrono::steady_clock::now() - start < 5s);
}

TEST_CASE("an endless JSON stream stops at --max-input, naming the input and the limit",
          "[trace]") {
  const auto tool = (bin_dir() / "vmterm-trace").string();
  const auto r =
      run({"sh", "-c",
           "yes '{\"resourceSpans\":[]}' | " + tool + " --file - --max-input 1MiB services"},
          clean({.timeout = 20s}));
  CHECK(r.err ==
        "vmterm-trace: read '-': more than 1 MiB of input, the limit; give a smaller "
        "file, or raise --max-input\n");
  CHECK(r.exit_code == 1);
  CHECK_FALSE(r.timed_out);
  // A single document is held whole: the same limit applies.
  lines_file big("{\n  \"resourceSpans\": [" + std::string(2 << 20, ' ') + "]\n}\n");
  const auto doc = vmterm_trace({"--file", big.path.string(), "--max-input", "1MiB", "services"});
  CHECK(doc.err == "vmterm-trace: read '" + big.path.string() +
                       "': more than 1 MiB of input, the limit; give a smaller file, or raise "
                       "--max-input\n");
  CHECK(doc.exit_code == 1);
}

TEST_CASE("a file cut in its last line reads every complete line and warns once", "[trace]") {
  const auto line = fixture_line();
  lines_file f(line + line.substr(0, line.size() / 2));
  const auto r = vmterm_trace({"--file", f.path.string(), "services"});
  CHECK(r.out == "my.service\n");
  CHECK(r.err == "vmterm-trace: " + f.path.string() + ":2: truncated JSON, skipped\n");
  CHECK(r.exit_code == 0);
  const auto shown = vmterm_trace({"--file", f.path.string(), "--width", "120", "show"});
  CHECK(shown.out.rfind("trace 5b8efff798038103d269b633813fc60c", 0) == 0);
  CHECK(shown.exit_code == 0);
}

TEST_CASE("bad lines in the middle are skipped: one line each for the first and the rest",
          "[trace]") {
  const auto line = fixture_line();
  lines_file f(line +
               "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"xyz\"}]}]}]}\n" +
               line + "garbage\n" + line.substr(0, 40) + "\n" + line);
  const auto r = vmterm_trace({"--file", f.path.string(), "services"});
  CHECK(r.out == "my.service\n");
  CHECK(r.err == "vmterm-trace: " + f.path.string() +
                     ":2: resourceSpans[0].scopeSpans[0].spans[0].traceId: 'xyz' is not a hex "
                     "trace id (32 digits), skipped\n"
                     "vmterm-trace: " +
                     f.path.string() + ": 2 more unreadable lines skipped (4, 5)\n");
  CHECK(r.exit_code == 0);
}

TEST_CASE("a file with no readable line fails, giving the line once", "[trace]") {
  const auto line = fixture_line();
  lines_file f(line.substr(0, line.size() / 2));
  const auto r = vmterm_trace({"--file", f.path.string(), "services"});
  CHECK(r.err == "vmterm-trace: " + f.path.string() + ":1: truncated JSON; no line of '" +
                     f.path.string() + "' could be read\n");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("column") == std::string::npos);
}
