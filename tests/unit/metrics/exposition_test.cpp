#include "metrics/exposition.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

using namespace vmterm::metrics;

TEST_CASE("values print as Prometheus reads them, integers without exponent", "[metrics]") {
  CHECK(format_value(0) == "0");
  CHECK(format_value(-0.0) == "0");
  CHECK(format_value(42) == "42");
  CHECK(format_value(-7) == "-7");
  CHECK(format_value(1e6) == "1000000");
  CHECK(format_value(9007199254740992.0) == "9007199254740992");
  CHECK(format_value(1e20) == "1e+20");
  CHECK(format_value(0.005) == "0.005");
  CHECK(format_value(2.5) == "2.5");
  CHECK(format_value(0.1 + 0.2) == "0.30000000000000004");
  CHECK(format_value(1e-9) == "1e-09");
  CHECK(format_value(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(format_value(std::nan("")) == "NaN");
}

TEST_CASE("HELP escapes backslash and newline; label values also the double quote", "[metrics]") {
  CHECK(escape_help("a\\b\nc \"q\"") == "a\\\\b\\nc \"q\"");
  CHECK(escape_label_value("a\\b\nc \"q\"") == "a\\\\b\\nc \\\"q\\\"");
}

TEST_CASE("valid UTF-8 passes through; an invalid byte becomes U+FFFD", "[metrics]") {
  CHECK(escape_label_value("caf\xc3\xa9 \xe2\x82\xac") == "caf\xc3\xa9 \xe2\x82\xac");
  CHECK(escape_label_value("/p\xff\xc3") == "/p\xef\xbf\xbd\xef\xbf\xbd");
  CHECK(escape_help("\xed\xa0\x80") == "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

TEST_CASE("the writer emits HELP, TYPE and samples, skipping empty families", "[metrics]") {
  const std::vector<family_snapshot> families = {
      {"a_total",
       "Things.\nMore",
       metric_type::counter,
       {{"a_total", {{"k", "v\"1"}, {"z", ""}}, 3}, {"a_total", {}, 1.5}}},
      {"empty", "Nothing.", metric_type::gauge, {}},
      {"u", "Untyped.", metric_type::untyped, {{"u", {}, -1}}},
  };
  CHECK(to_text(families) ==
        "# HELP a_total Things.\\nMore\n"
        "# TYPE a_total counter\n"
        "a_total{k=\"v\\\"1\",z=\"\"} 3\n"
        "a_total 1.5\n"
        "# HELP u Untyped.\n"
        "# TYPE u untyped\n"
        "u -1\n");
}
