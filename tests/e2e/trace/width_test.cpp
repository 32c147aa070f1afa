// Every view fits the width: --width 80 and 120 (and COLUMNS), with long, wide (CJK, emoji)
// names, a deep tree and long notes; each output line measured by glibc's wcswidth.
#include <catch2/catch.hpp>

#include "small_trace.hpp"
#include "terminal_width.hpp"
#include "trace_cli.hpp"

using namespace vmterm::test;
using namespace vmterm::test::trace_cli;

namespace {

const std::string long_op =
    "POST /api/v2/organisations/{organisation_id}/projects/{project_id}/pipelines/{pipeline_id}";
const std::string cjk_op = "注文を確定する処理：在庫の引当と支払いの確認と配送の手配";
const std::string emoji_op = "🚀 deploy 🚀 rollout 🚀 canary 🚀 promote 🚀 verify 🚀 done";
const std::string long_service = "checkout-service-with-a-very-long-name-in-production";

std::string span_id(int i) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016x", 0x100 + i);
  return buf;
}

/// One JSON line: a chain 25 spans deep under a long-named root, alternating wide names and
/// services, one error with a long message.
std::string wide_trace_line() {
  std::string spans =
      otlp_span(span_id(0), "", long_op, 2, "1706678909000000000", "1706678909900000000", "");
  std::string other;
  for (int i = 1; i <= 25; ++i) {
    const auto start = std::to_string(1706678909000000000LL + i * 1000000LL);
    const auto end = std::to_string(1706678909900000000LL - i * 1000000LL);
    const auto status = i == 9
                            ? R"(,"status":{"code":2,"message":"connection reset by peer while )" +
                                  long_op + R"("})"
                            : std::string();
    auto s = otlp_span(span_id(i), span_id(i - 1), i % 2 == 0 ? cjk_op : emoji_op, 3, start, end,
                       status);
    (i % 3 == 0 ? other : spans) += "," + s;
  }
  return R"({"resourceSpans":[)" + otlp_resource(long_service, spans) + "," +
         otlp_resource("在庫サービス", other.substr(1)) + "]}\n";
}

void check_fits(const run_result& r, int width) {
  REQUIRE(r.exit_code == 0);
  REQUIRE(!r.out.empty());
  for (const auto& line : lines_of(r.out)) {
    INFO(line);
    // A tab (operations' "name<TAB>kind") reaches the next multiple of 8.
    std::string expanded;
    for (char c : line) {
      if (c == '\t') {
        expanded.append(static_cast<std::size_t>(8 - terminal_columns(expanded) % 8), ' ');
      } else {
        expanded += c;
      }
    }
    const auto columns = terminal_columns(expanded);
    CHECK(columns >= 0);
    CHECK(columns <= width);
  }
}

}  // namespace

TEST_CASE("every view fits in 80 and in 120 columns", "[trace]") {
  temp_dir dir{"vmterm-trace"};
  const auto file = (dir / "traces.jsonl").string();
  write_file(file, wide_trace_line() + small_trace_line());
  for (int width : {80, 120}) {
    const auto w = std::to_string(width);
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"show"},
             {"-v", "show"},
             {"--color", "always", "show"},
             {"search", "--service", long_service},
             {"stats", "--service", long_service},
             {"services"},
             {"operations", long_service},
         }) {
      auto full = std::vector<std::string>{"--file", file, "--width", w};
      full.insert(full.end(), args.begin(), args.end());
      INFO("--width " << w << " " << args.front());
      check_fits(vmterm_trace(full), width);
    }
    // COLUMNS is the width when --width is not given.
    check_fits(vmterm_trace({"--file", file, "show"}, {.env = {{"COLUMNS", w}}}), width);
  }
}

TEST_CASE("at 80 columns search keeps whole trace ids and show keeps the error", "[trace]") {
  temp_dir dir{"vmterm-trace"};
  const auto file = (dir / "traces.jsonl").string();
  write_file(file, wide_trace_line());
  const auto search =
      vmterm_trace({"--file", file, "--width", "80", "search", "--service", long_service});
  CHECK(search.out.find(small_trace_id) != std::string::npos);
  CHECK(search.out.find("…") != std::string::npos);
  const auto show = vmterm_trace({"--file", file, "--width", "80", "show"});
  CHECK(show.out.find("✗ conn") != std::string::npos);
  // Without a terminal or a width, listings cut nothing: scripts get whole names.
  const auto ops = vmterm_trace({"--file", file, "operations", long_service});
  CHECK(ops.out.find(long_op + "\tserver\n") != std::string::npos);
}
