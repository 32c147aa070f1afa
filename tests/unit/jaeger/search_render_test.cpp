#include "jaeger/search_render.hpp"

#include <catch2/catch.hpp>

#include "jaeger/text_cells.hpp"
#include "sample_trace.hpp"

namespace vmterm::jaeger {
using namespace test;

TEST_CASE("A trace summary names the root, duration and counts", "[jaeger]") {
  const auto s = summarize(sample_trace());
  CHECK(s.id == tid());
  CHECK(s.root_service == "checkout");
  CHECK(s.root_operation == "GET /cart");
  CHECK(s.duration_ns == 12'300'000);
  CHECK(s.span_count == 3);
  CHECK(s.error_count == 1);
  CHECK(s.start_unix_nano == t0_ns);
}

TEST_CASE("Search results print one aligned line per trace, newest first", "[jaeger]") {
  std::vector<trace_summary> rows;
  rows.push_back(summarize(sample_trace()));
  rows.push_back({.id = tid("0af7651916cd43dd8448eb211c80319c"),
                  .start_unix_nano = t0_ns + 60'000'000'000,
                  .duration_ns = 850'000,
                  .root_service = "vmterm-worker",
                  .root_operation = "run/health_check",
                  .span_count = 1,
                  .error_count = 0});
  CHECK(render_search(rows, false) ==
        "2024-01-31T05:29:29.209712Z  vmterm-worker  run/health_check   850µs   1 span  0 errors  "
        "0af7651916cd43dd8448eb211c80319c\n"
        "2024-01-31T05:28:29.209712Z  checkout       GET /cart         12.3ms  3 spans  1 error   "
        "4bf92f3577b34da6a3ce929d0e0e4736\n");
  const auto coloured = render_search(rows, true);
  CHECK(coloured.find(std::string(service_colour("checkout")) + "checkout\x1b[0m") !=
        std::string::npos);
  CHECK(coloured.find("\x1b[31m1 error\x1b[0m") != std::string::npos);
  CHECK(coloured.find("\x1b[31m0 errors") == std::string::npos);
}

}  // namespace vmterm::jaeger
