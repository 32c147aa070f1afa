#include "jaeger/time_format.hpp"

#include <catch2/catch.hpp>

#include "jaeger/text_cells.hpp"
#include "jaeger/waterfall.hpp"

namespace vmterm::jaeger {

TEST_CASE("Durations read with three significant digits and a unit", "[jaeger]") {
  CHECK(format_duration(0) == "0µs");
  CHECK(format_duration(420) == "420ns");
  CHECK(format_duration(1'000) == "1µs");
  CHECK(format_duration(1'250) == "1.25µs");
  CHECK(format_duration(850'000) == "850µs");
  CHECK(format_duration(999'960) == "1ms");
  CHECK(format_duration(12'300'000) == "12.3ms");
  CHECK(format_duration(12'000'000) == "12ms");
  CHECK(format_duration(1'250'000'000) == "1.25s");
  CHECK(format_duration(1'500'000'000) == "1.5s");
  CHECK(format_duration(59'900'000'000) == "59.9s");
  CHECK(format_duration(125'000'000'000) == "2m05s");
  CHECK(format_duration(3'720'000'000'000) == "1h02m");
}

TEST_CASE("Timestamps are RFC 3339 in UTC with microseconds", "[jaeger]") {
  CHECK(format_rfc3339(1'706'678'909'209'712'345ULL) == "2024-01-31T05:28:29.209712Z");
  CHECK(format_rfc3339(0) == "1970-01-01T00:00:00.000000Z");
}

TEST_CASE("Waterfall bars start at the offset, span the duration, and take at least one cell",
          "[jaeger]") {
  CHECK(scale_bar(0, 100, 0, 100, 10) == bar_cells{0, 10});
  CHECK(scale_bar(0, 100, 25, 50, 10) == bar_cells{2, 3});  // [2.5, 5] -> cells 2..4
  CHECK(scale_bar(0, 100, 50, 51, 10) == bar_cells{5, 1});
  CHECK(scale_bar(0, 100, 100, 100, 10) == bar_cells{9, 1});  // at the very end: last cell
  CHECK(scale_bar(0, 100, 0, 0, 10) == bar_cells{0, 1});
  CHECK(scale_bar(5, 5, 5, 5, 4) == bar_cells{0, 4});  // zero-length trace
  CHECK(scale_bar(0, 1000, 0, 1000, 40) == bar_cells{0, 40});
  CHECK(scale_bar(0, 100, 0, 100, 0) == bar_cells{0, 0});
  std::string out;
  append_bar(out, {2, 3}, 6, "", false);
  CHECK(out == "│  ███ │");
}

TEST_CASE("Cells count code points, pad and truncate", "[jaeger]") {
  CHECK(cell_width("├─ µs") == 5);
  std::string out;
  append_padded(out, "ab", 4);
  append_right(out, "µ", 3);
  CHECK(out == "ab    µ");
  CHECK(truncate_cells("abcdef", 4) == "abc…");
  CHECK(truncate_cells("abc", 4) == "abc");
}

TEST_CASE("Each service keeps one colour from the palette", "[jaeger]") {
  CHECK(service_colour("checkout") == service_colour("checkout"));
  CHECK(service_colour("checkout").substr(0, 2) == "\x1b[");
  std::string out;
  append_coloured(out, "x", "\x1b[36m", true);
  CHECK(out == "\x1b[36mx\x1b[0m");
}

}  // namespace vmterm::jaeger
