#include "metrics/registry.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>

using namespace vmterm::metrics;

TEST_CASE("a registry exposes counters and gauges with labels, ordered and escaped", "[metrics]") {
  registry reg;
  auto& requests =
      reg.add_counter("http_requests_total", "HTTP requests handled.", {"method", "code"});
  requests.labels("POST", "500").inc();
  requests.labels("GET", "200").inc(2);
  requests.labels("GET", "200").inc();
  auto& temp = reg.add_gauge("a_temperature_celsius", "Temperature \\ in\nthe room.", {"room"});
  temp.labels("kitchen \"main\"\n").set(21.5);
  temp.labels("attic\\").dec(3);
  reg.add_gauge("b_up", "Whether it is up.").labels().set(1);
  CHECK(reg.expose() ==
        "# HELP a_temperature_celsius Temperature \\\\ in\\nthe room.\n"
        "# TYPE a_temperature_celsius gauge\n"
        "a_temperature_celsius{room=\"attic\\\\\"} -3\n"
        "a_temperature_celsius{room=\"kitchen \\\"main\\\"\\n\"} 21.5\n"
        "# HELP b_up Whether it is up.\n"
        "# TYPE b_up gauge\n"
        "b_up 1\n"
        "# HELP http_requests_total HTTP requests handled.\n"
        "# TYPE http_requests_total counter\n"
        "http_requests_total{method=\"GET\",code=\"200\"} 3\n"
        "http_requests_total{method=\"POST\",code=\"500\"} 1\n");
}

TEST_CASE("a family without labels shows zero before first use; labelled ones show nothing",
          "[metrics]") {
  registry reg;
  (void)reg.add_counter("jobs_total", "Jobs run.");
  (void)reg.add_counter("errors_total", "Errors.", {"kind"});
  CHECK(reg.expose() ==
        "# HELP jobs_total Jobs run.\n"
        "# TYPE jobs_total counter\n"
        "jobs_total 0\n");
}

TEST_CASE("counters only go up and add fractions exactly", "[metrics]") {
  registry reg;
  auto& c = reg.add_counter("bytes_total", "Bytes.").labels();
  c.inc(-5);
  c.inc(std::nan(""));
  c.inc(0.25);
  c.inc(10);
  c.inc();
  CHECK(c.value() == 11.25);
}

TEST_CASE("registering the same family twice returns it; a different one is refused", "[metrics]") {
  registry reg;
  auto& a = reg.add_counter("x_total", "X.", {"k"});
  CHECK(&reg.add_counter("x_total", "X.", {"k"}) == &a);
  CHECK_THROWS_WITH(reg.add_counter("x_total", "Other.", {"k"}),
                    "metric 'x_total' is already registered as a counter with other help, "
                    "labels or buckets");
  CHECK_THROWS_WITH(reg.add_histogram("x_total", "X.", {"k"}),
                    "histogram 'x_total': only counter names end in '_total'");
}

TEST_CASE("the wrong number of label values names the labels", "[metrics]") {
  registry reg;
  auto& f = reg.add_counter("http_requests_total", "Requests.", {"method", "code"});
  CHECK_THROWS_WITH(f.labels("GET"),
                    "metric 'http_requests_total' takes 2 label values (method, code), got 1");
}

TEST_CASE("collectors add families at scrape time, sorted among the others", "[metrics]") {
  registry reg;
  (void)reg.add_gauge("m_gauge", "M.");
  reg.add_collector([](std::vector<family_snapshot>& out) {
    out.push_back({"a_collected", "Collected.", metric_type::gauge, {{"a_collected", {}, 7}}});
  });
  reg.add_collector([](std::vector<family_snapshot>&) { throw std::runtime_error("boom"); });
  const auto families = reg.collect();
  REQUIRE(families.size() == 2);
  CHECK(families[0].name == "a_collected");
  CHECK(families[1].name == "m_gauge");
}

TEST_CASE("the default registry is one object", "[metrics]") {
  CHECK(&default_registry() == &default_registry());
}
