// Every view fits the width it is given: long, wide (CJK, emoji) and hostile names, deep
// trees and long notes, measured by glibc's wcswidth rather than by the code under test.
#include <catch2/catch.hpp>
#include <cwchar>

#include "jaeger/search_render.hpp"
#include "jaeger/span_stats.hpp"
#include "jaeger/text_cells.hpp"
#include "jaeger/tree_render.hpp"
#include "make_span.hpp"
#include "terminal_width.hpp"

namespace vmterm::jaeger {
using namespace test;          // make_span.hpp (vmterm::jaeger::test)
using namespace vmterm::test;  // terminal_width.hpp

namespace {

const std::string long_name =
    "POST /api/v2/organisations/{organisation_id}/projects/{project_id}/pipelines/{pipeline_id}"
    "/runs";
const std::string cjk_name = "注文を確定する処理：在庫の引当と支払いの確認と配送の手配";
const std::string emoji_name = "🚀 deploy 🚀 rollout 🚀 canary 🚀 promote 🚀 verify 🚀 done";

/// A trace with everything that makes lines long: long and wide names and services, a chain
/// 30 spans deep, a long error message, an orphan and attributes.
trace_tree wide_trace() {
  std::vector<trace::span_data> spans;
  auto root = span("a0", "", long_name, 0, 1'000'000, "checkout-service-with-a-long-name");
  root.attrs.push_back({"db.statement", std::string(300, 'x')});
  spans.push_back(root);
  std::string parent = "a0";
  for (int i = 1; i <= 30; ++i) {
    const auto id = "a" + std::to_string(i);
    auto s = span(id, parent, i % 2 == 0 ? cjk_name : emoji_name, std::uint64_t(i) * 10,
                  1'000'000 - std::uint64_t(i) * 10, i % 3 == 0 ? "在庫サービス" : "db");
    if (i == 7) s.status = {trace::status_code::error, "connection reset by peer: " + long_name};
    spans.push_back(s);
    parent = id;
  }
  spans.push_back(span("o", "404", "lost " + long_name, 5, 50, "worker"));
  return build_tree(std::move(spans));
}

void check_fits(const std::string& out, int width) {
  for (const auto& line : lines_of(out)) {
    INFO(line);
    const auto columns = terminal_columns(line);
    CHECK(columns >= 0);
    CHECK(columns <= width);
  }
}

std::vector<trace_summary> wide_rows() {
  return {summarize(wide_trace()),
          {.id = tid("0af7651916cd43dd8448eb211c80319c"),
           .start_unix_nano = t0_ns,
           .duration_ns = 850'000,
           .root_service = "在庫サービス",
           .root_operation = emoji_name,
           .span_count = 1234,
           .error_count = 17}};
}

}  // namespace

TEST_CASE("Cell widths never undercount what glibc's wcwidth gives a code point", "[jaeger]") {
  REQUIRE(terminal_columns("a") == 1);  // the C.UTF-8 locale is there
  std::size_t checked = 0;
  for (char32_t cp = 0x20; cp < 0x40000; ++cp) {
    if (cp >= 0xD800 && cp < 0xE000) continue;
    const int w = ::wcwidth(static_cast<wchar_t>(cp));
    if (w < 0) continue;
    ++checked;
    if (code_point_cells(cp) < static_cast<unsigned>(w)) FAIL("U+" << std::hex << unsigned(cp));
  }
  CHECK(checked > 100'000);
  CHECK(cell_width("注文") == 4);
  CHECK(cell_width("🚀x") == 3);
  CHECK(cell_width("e\xCC\x81") == 1);  // e + combining acute
}

TEST_CASE("Names are cut with an ellipsis at cell boundaries, wide characters included",
          "[jaeger]") {
  CHECK(truncate_cells("checkout", 5) == "chec…");
  CHECK(truncate_cells("注文を確定", 5) == "注文…");  // 4 cells + "…"; a third would need 6
  CHECK(truncate_cells("注文を確定", 6) == "注文…");
  CHECK(truncate_cells("short", 10) == "short");
}

TEST_CASE("Control characters in names cannot reach the terminal", "[jaeger]") {
  CHECK(terminal_text("evil\x1b]0;title\x07name") == "evil\uFFFD]0;title\uFFFDname");
  CHECK(terminal_text("bidi\u202Eoverride") == "bidi\uFFFDoverride");
  CHECK(terminal_text("bad \xFF byte") == "bad \uFFFD byte");
  CHECK(terminal_text("ok µs ✗ 注文") == "ok µs ✗ 注文");
  const auto out =
      render_tree(build_tree({span("a", "", "GET \x1b[2J/", 0, 10, "s\x1b[31m")}), {.width = 80});
  CHECK(out.find('\x1b') == std::string::npos);
}

TEST_CASE("show fits every line in 80 and in 120 columns, with colour and details", "[jaeger]") {
  const auto t = wide_trace();
  for (int width : {80, 120}) {
    for (bool colour : {false, true}) {
      INFO("width " << width << ", colour " << colour);
      const auto out = render_tree(
          t, {.colour = colour, .verbose = true, .width = static_cast<std::size_t>(width)});
      check_fits(out, width);
      CHECK(out.find("…") != std::string::npos);
      CHECK(out.find("✗ conn") != std::string::npos);  // the error stays visible
    }
  }
}

TEST_CASE("A narrow show keeps the waterfall and gives up the self time first", "[jaeger]") {
  const auto t = build_tree({span("a", "", "GET /cart", 0, 12000, "checkout"),
                             span("b", "a", "SELECT cart", 1000, 9000, "db")});
  const auto out = render_tree(t, {.width = 60});
  check_fits(out, 60);
  CHECK(out.find("│") != std::string::npos);
  CHECK(out.find("self") == std::string::npos);
}

TEST_CASE("search lines fit 80 and 120 columns and never cut the trace id", "[jaeger]") {
  for (int width : {80, 120}) {
    const auto out = render_search(wide_rows(), true, static_cast<std::size_t>(width));
    INFO(out);
    check_fits(out, width);
    CHECK(out.find("0af7651916cd43dd8448eb211c80319c") != std::string::npos);
    CHECK(out.find("4bf92f3577b34da6a3ce929d0e0e4736") != std::string::npos);
  }
  // 120 columns keep the start time to the second.
  CHECK(render_search(wide_rows(), false, 120).rfind("2024-01-31T05:28:29", 0) == 0);
}

TEST_CASE("A narrow search drops the fraction of a second, then the start", "[jaeger]") {
  std::vector<trace_summary> rows = {
      summarize(build_tree({span("a", "", "GET /cart", 0, 12000, "checkout")}))};
  CHECK(render_search(rows, false, 0) ==
        "2024-01-31T05:28:29.209712Z  checkout  GET /cart  12ms  1 span  0 errors  "
        "4bf92f3577b34da6a3ce929d0e0e4736\n");
  CHECK(render_search(rows, false, 100) ==
        "2024-01-31T05:28:29Z  checkout  GET /cart  12ms  1 span  0 errors  "
        "4bf92f3577b34da6a3ce929d0e0e4736\n");
  CHECK(render_search(rows, false, 80) ==
        "checkout  GET /cart  12ms  1 span  0 errors  4bf92f3577b34da6a3ce929d0e0e4736\n");
}

TEST_CASE("stats rows fit 80 and 120 columns", "[jaeger]") {
  const auto stats = compute_stats({wide_trace()});
  for (int width : {80, 120}) {
    const auto out = render_stats_table(stats, true, static_cast<std::size_t>(width));
    check_fits(out, width);
    CHECK(out.rfind("SERVICE", 0) == 0);
  }
}

}  // namespace vmterm::jaeger
