#include "metrics/names.hpp"

#include <catch2/catch.hpp>

#include "metrics/registry.hpp"

using namespace vmterm::metrics;

TEST_CASE("metric names follow the Prometheus data model", "[metrics]") {
  CHECK(check_metric_name("http_requests_total"));
  CHECK(check_metric_name("job:rate5m"));
  CHECK(check_metric_name("_x9"));
  CHECK(check_metric_name("1abc").error().message ==
        "invalid metric name '1abc': use [a-zA-Z_:][a-zA-Z0-9_:]*");
  CHECK(check_metric_name("").error().message ==
        "invalid metric name '': use [a-zA-Z_:][a-zA-Z0-9_:]*");
  CHECK(check_metric_name("a-b").error().message ==
        "invalid metric name 'a-b': use [a-zA-Z_:][a-zA-Z0-9_:]*");
}

TEST_CASE("label names follow the data model and '__' is reserved", "[metrics]") {
  CHECK(check_label_name("m", "method"));
  CHECK(check_label_name("m", "a:b").error().message ==
        "invalid label name 'a:b' for metric 'm': use [a-zA-Z_][a-zA-Z0-9_]*");
  CHECK(check_label_name("m", "__name").error().message ==
        "invalid label name '__name' for metric 'm': names starting with '__' are reserved");
}

TEST_CASE("registration refuses bad names, missing help and misnamed counters", "[metrics]") {
  registry reg;
  CHECK_THROWS_WITH(reg.add_gauge("9lives", "Cats."),
                    "invalid metric name '9lives': use [a-zA-Z_:][a-zA-Z0-9_:]*");
  CHECK_THROWS_WITH(reg.add_counter("requests", "Requests."),
                    "counter 'requests': counter names must end in '_total'; use "
                    "'requests_total'");
  CHECK_THROWS_WITH(reg.add_gauge("open_total", "Open."),
                    "gauge 'open_total': only counter names end in '_total'");
  CHECK_THROWS_WITH(reg.add_gauge("g", ""), "gauge 'g': help text is empty; say what it measures");
  CHECK_THROWS_WITH(reg.add_gauge("g", "G.", {"bad-label"}),
                    "invalid label name 'bad-label' for metric 'g': use [a-zA-Z_][a-zA-Z0-9_]*");
  CHECK_THROWS_WITH(reg.add_gauge("g", "G.", {"a", "a"}),
                    "duplicate label name 'a' for metric 'g'");
}
