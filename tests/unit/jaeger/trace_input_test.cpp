// Reading trace files: bounded, refusing what is not JSON, and JSON lines read past bad lines
// with one warning that names the file and the line once.
#include "jaeger/trace_input.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "jaeger/file_source.hpp"
#include "jaeger/json_lines.hpp"

namespace vmterm::jaeger {
namespace {

namespace fs = std::filesystem;

struct temp_file {
  fs::path path;
  explicit temp_file(const std::string& text) {
    path = fs::temp_directory_path() /
           ("vmterm-trace-input-" + std::to_string(::getpid()) + "-" + std::to_string(++n_));
    std::ofstream(path, std::ios::binary) << text;
  }
  ~temp_file() {
    std::error_code ec;
    fs::remove(path, ec);
  }
  static inline int n_ = 0;
};

/// The shared OTLP fixture as one JSON line (with its newline).
std::string fixture_line() {
  std::ifstream in(fs::path(VMTERM_SHARED_DIR) / "fixtures" / "otlp" / "trace.json");
  return nlohmann::json::parse(in).dump() + "\n";
}

}  // namespace

TEST_CASE("Sizes read and print in binary units", "[jaeger]") {
  CHECK(parse_size("512MiB").value() == 512ULL << 20);
  CHECK(parse_size("2GiB").value() == 2ULL << 30);
  CHECK(parse_size("1000").value() == 1000);
  CHECK(parse_size("64KiB").value() == 65536);
  CHECK(parse_size("12x").error().message ==
        "not a size; give bytes or a whole number with KiB, MiB or GiB (e.g. 512MiB)");
  CHECK_FALSE(parse_size("99999999999GiB"));
  CHECK(format_size(1ULL << 30) == "1 GiB");
  CHECK(format_size(3 << 20) == "3 MiB");
  CHECK(format_size(1000) == "1000 bytes");
}

TEST_CASE("A directory and a file that is not JSON are refused at once", "[jaeger]") {
  auto dir = trace_input::open("/etc", {});
  REQUIRE_FALSE(dir);
  CHECK(dir.error().message ==
        "read '/etc': is a directory; give a file of traces (OTLP JSON, OTLP JSON lines or "
        "Jaeger v1 JSON)");
  auto zero = trace_input::open("/dev/zero", {});
  REQUIRE(zero);
  CHECK(zero->start().error().message ==
        "read '/dev/zero': not JSON: it starts with byte 0x00; give a file of traces (OTLP "
        "JSON, OTLP JSON lines or Jaeger v1 JSON)");
  temp_file text("\n  hello");
  CHECK(trace_input::open(text.path.string(), {})->start().error().message ==
        "read '" + text.path.string() +
            "': not JSON: it starts with 'h'; give a file of traces (OTLP JSON, OTLP JSON lines "
            "or Jaeger v1 JSON)");
}

TEST_CASE("Input past the limit is an error naming the input and the limit", "[jaeger]") {
  temp_file big("{\"resourceSpans\":[]}\n" + std::string(5000, ' '));
  auto in = trace_input::open(big.path.string(),
                              {.max_bytes = 4096, .raise_limit_hint = "raise --max-input"});
  REQUIRE(in);
  const auto read_all = [](trace_input& input) -> expected<void> {
    auto lines = input.start();
    if (!lines) return tl::unexpected(lines.error());
    for (;;) {
      auto line = input.next_line();
      if (!line) return tl::unexpected(line.error());
      if (!*line) return {};
    }
  };
  auto all = read_all(*in);
  REQUIRE_FALSE(all);
  CHECK(all.error().message ==
        "read '" + big.path.string() + "': more than 4 KiB of input, the limit; raise --max-input");
  temp_file exact(std::string(4096, ' '));  // exactly the limit is fine
  auto ok = trace_input::open(exact.path.string(), {.max_bytes = 4096});
  CHECK(ok->start().value());
  CHECK(ok->next_line().value()->text.size() == 4096);
}

TEST_CASE("One JSON line decodes with messages that give the line once", "[jaeger]") {
  std::vector<trace::span_data> spans;
  const auto line = fixture_line();
  REQUIRE(decode_json_line(line, 1, "t.jsonl", spans));
  CHECK(spans.size() == 1);
  CHECK(decode_json_line(line.substr(0, 200), 2, "t.jsonl", spans).error().message ==
        "t.jsonl:2: truncated JSON");
  CHECK(decode_json_line("{x}", 3, "t.jsonl", spans).error().message ==
        "t.jsonl:3:2: not JSON (invalid literal; last read: '{x'; expected string literal)");
  CHECK(decode_json_line(R"({"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"xyz"}]}]}]})", 4,
                         "t.jsonl", spans)
            .error()
            .message ==
        "t.jsonl:4: resourceSpans[0].scopeSpans[0].spans[0].traceId: 'xyz' is "
        "not a hex trace id (32 digits)");
  CHECK(spans.size() == 1);  // nothing added by the failures
  CHECK(decode_json_line("  \r", 5, "t.jsonl", spans));
}

TEST_CASE("A JSON lines file cut in its last line reads every complete line, warning once",
          "[jaeger]") {
  const auto line = fixture_line();
  temp_file cut(line + line.substr(0, line.size() / 2));
  std::vector<std::string> warnings;
  file_source src(cut.path.string(),
                  {.warn = [&](const std::string& w) { warnings.push_back(w); }});
  auto services = src.services();
  REQUIRE(services);
  CHECK(*services == std::vector<std::string>{"my.service"});
  CHECK(warnings == std::vector<std::string>{cut.path.string() + ":2: truncated JSON, skipped"});
}

TEST_CASE("Bad lines in the middle are skipped: the first in full, the rest counted", "[jaeger]") {
  const auto line = fixture_line();
  temp_file mixed(line + "{x}\n" + line + "nope\n\n[1]\n" + line.substr(0, 30));
  std::vector<std::string> warnings;
  file_source src(mixed.path.string(),
                  {.warn = [&](const std::string& w) { warnings.push_back(w); }});
  REQUIRE(src.services());
  const auto name = mixed.path.string();
  CHECK(warnings ==
        std::vector<std::string>{
            name + ":2:2: not JSON (invalid literal; last read: '{x'; expected string literal), "
                   "skipped",
            name + ": 3 more unreadable lines skipped (4, 6, 7)"});
}

TEST_CASE("A file with no readable line is an error, and nothing is warned twice", "[jaeger]") {
  const auto line = fixture_line();
  temp_file only(line.substr(0, 100));
  std::vector<std::string> warnings;
  file_source src(only.path.string(),
                  {.warn = [&](const std::string& w) { warnings.push_back(w); }});
  auto services = src.services();
  REQUIRE_FALSE(services);
  CHECK(services.error().message == only.path.string() + ":1: truncated JSON; no line of '" +
                                        only.path.string() + "' could be read");
  CHECK(warnings.empty());
}

}  // namespace vmterm::jaeger
