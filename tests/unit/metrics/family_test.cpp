#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/exposition.hpp"
#include "metrics/family.hpp"
#include "metrics/registry.hpp"

using namespace vmterm::metrics;
using namespace std::string_literals;

TEST_CASE("label values join into one key that orders as the tuple and splits back", "[metrics]") {
  const std::vector<std::vector<std::string>> tuples = {{"a", "b"}, {"a\0"s, "b"}, {"a\0b"s, ""},
                                                        {"", "z"},  {"ab", ""},    {"a", ""}};
  for (const auto& x : tuples) {
    const std::vector<std::string_view> xv(x.begin(), x.end());
    const auto kx = detail::join_label_values(xv);
    CHECK(detail::split_label_values(kx, 2) == x);
    for (const auto& y : tuples) {
      const std::vector<std::string_view> yv(y.begin(), y.end());
      INFO(kx << " vs " << detail::join_label_values(yv));
      CHECK((kx < detail::join_label_values(yv)) == (x < y));
    }
  }
  CHECK(detail::join_label_values(std::vector<std::string_view>{"entry-1"}) == "entry-1");
}

TEST_CASE("the streamed exposition is the snapshot writer's text, byte for byte", "[metrics]") {
  registry reg;
  auto& c = reg.add_counter("b_requests_total", "Requests.", {"method", "code"});
  c.labels("POST", "500").inc();
  c.labels("GET", "200").inc(2.5);
  c.labels("GET\0x"s, "2\"0\n0").inc();
  auto& h = reg.add_histogram("c_seconds", "Latency \\ in\nseconds.", {"route"}, {0.1, 1});
  h.labels("/a").observe(0.05);
  h.labels("/b\xff").observe(3);
  reg.add_histogram("d_seconds", "No labels.", {}, {0.5}).labels().observe(0.2);
  reg.add_gauge("e_up", "Up.").labels().set(1);
  (void)reg.add_counter("f_unused_total", "No children.", {"x"});
  reg.add_collector([](std::vector<family_snapshot>& out) {
    out.push_back({"a_collected", "First.", metric_type::gauge, {{"a_collected", {}, 7}}});
    out.push_back({"z_collected", "Last.", metric_type::gauge, {{"z_collected", {}, 8}}});
  });
  const auto text = reg.expose();
  CHECK(text == to_text(reg.collect()));
  CHECK(text.find("b_requests_total{method=\"GET\",code=\"200\"} 2.5\n") != std::string::npos);
  CHECK(text.find("c_seconds_bucket{route=\"/b\xef\xbf\xbd\",le=\"+Inf\"} 1\n") !=
        std::string::npos);
  CHECK(text.find("d_seconds_bucket{le=\"0.5\"} 1\n") != std::string::npos);
  CHECK(text.rfind("# HELP a_collected", 0) == 0);
  CHECK(text.find("f_unused_total") == std::string::npos);
}

TEST_CASE("10,000 series: each found again by its values, exposed in order", "[metrics]") {
  registry reg;
  auto& f = reg.add_counter("ticks_total", "Ticks.", {"entry"});
  std::vector<counter*> got;
  for (int i = 0; i < 10'000; ++i) got.push_back(&f.labels("e" + std::to_string(i)));
  for (int i = 0; i < 10'000; i += 7) {
    CHECK(&f.labels("e" + std::to_string(i)) == got[static_cast<std::size_t>(i)]);
    got[static_cast<std::size_t>(i)]->inc();
  }
  const auto text = reg.expose();
  CHECK(text == to_text(reg.collect()));
  CHECK(text.find("ticks_total{entry=\"e0\"} 1\nticks_total{entry=\"e1\"} 0\n"
                  "ticks_total{entry=\"e10\"} 0\n") != std::string::npos);
  CHECK(text.find("ticks_total{entry=\"e9999\"} 0\n") != std::string::npos);
  CHECK(reg.expose() == text);  // the second scrape, reserved from the first, is the same
}

TEST_CASE("a scrape's text fits the size the families announce, reserved once", "[metrics]") {
  registry reg;
  auto& f = reg.add_counter("vmterm_beat_ticks_sent_total", "Ticks sent.", {"entry"});
  auto& h = reg.add_histogram("lateness_seconds", "Lateness.", {"entry"}, {0.001, 0.01, 0.1});
  for (int i = 0; i < 1000; ++i) {
    f.labels("entry-" + std::to_string(i)).inc(1e12);
    h.labels("e" + std::to_string(i)).observe(123456.5);
  }
  const auto text = reg.expose();
  CHECK(text.size() <= f.text_size_hint() + h.text_size_hint());
  CHECK(f.text_size_hint() + h.text_size_hint() < 2 * text.size());  // and not far more
}
