#include "jaeger/critical_path.hpp"

#include <catch2/catch.hpp>

#include "make_span.hpp"

namespace vmterm::jaeger {
using namespace test;

namespace {

struct section {
  std::string name;
  std::uint64_t start_us;
  std::uint64_t end_us;
  friend bool operator==(const section&, const section&) = default;
};

std::vector<section> path(const trace_tree& t) {
  std::vector<section> out;
  for (const auto& s : t.critical_path) {
    out.push_back({t.nodes[s.node].span.name, (s.start_unix_nano - t0_ns) / 1000,
                   (s.end_unix_nano - t0_ns) / 1000});
  }
  return out;
}

}  // namespace

TEST_CASE("The critical path follows the last-finishing child back in time", "[jaeger]") {
  // A [0,100]: B [10,50] (D [20,30]), C [40,90]. From 100: A until C ends at 90; C back to its
  // start at 40; A has no child ending before 40 (B ends at 50, overlapping C): A [0,40].
  auto t = build_tree({span("a", "", "A", 0, 100), span("b", "a", "B", 10, 50),
                       span("d", "b", "D", 20, 30), span("c", "a", "C", 40, 90)});
  CHECK(path(t) == std::vector<section>{{"A", 0, 40}, {"C", 40, 90}, {"A", 90, 100}});
  CHECK(node(t, "a").on_critical_path);
  CHECK(node(t, "c").on_critical_path);
  CHECK_FALSE(node(t, "b").on_critical_path);
  CHECK_FALSE(node(t, "d").on_critical_path);
  CHECK(node(t, "a").critical_ns == 50'000);
  CHECK(node(t, "c").critical_ns == 50'000);
}

TEST_CASE("Sequential children are all on the critical path with the gaps on the parent",
          "[jaeger]") {
  auto t = build_tree({span("a", "", "A", 0, 100), span("b", "a", "B", 10, 30),
                       span("c", "a", "C", 40, 60), span("e", "c", "E", 45, 55)});
  CHECK(path(t) == std::vector<section>{{"A", 0, 10},
                                        {"B", 10, 30},
                                        {"A", 30, 40},
                                        {"C", 40, 45},
                                        {"E", 45, 55},
                                        {"C", 55, 60},
                                        {"A", 60, 100}});
}

TEST_CASE("The critical path clips skewed children and ignores those outside the parent",
          "[jaeger]") {
  // B overflows A's end and is clipped to [50,100]; X lies entirely after A and is ignored.
  auto t = build_tree(
      {span("a", "", "A", 0, 100), span("b", "a", "B", 50, 120), span("x", "a", "X", 130, 140)});
  CHECK(path(t) == std::vector<section>{{"A", 0, 50}, {"B", 50, 100}});
  CHECK_FALSE(node(t, "x").on_critical_path);
}

TEST_CASE("A child covering the whole parent takes the whole critical path", "[jaeger]") {
  auto t = build_tree({span("a", "", "A", 0, 10), span("b", "a", "B", 0, 10)});
  CHECK(path(t) == std::vector<section>{{"B", 0, 10}});
  CHECK(node(t, "a").on_critical_path);  // on the walk, with no time of its own
  CHECK(node(t, "a").critical_ns == 0);
}

TEST_CASE("Many zero-length and equal-end children do not stall the walk", "[jaeger]") {
  std::vector<trace::span_data> spans{span("a", "", "A", 0, 10)};
  for (int i = 1; i <= 1000; ++i) {
    auto s = span("b", "a", "B", 5, 5);
    s.span.bytes[6] = static_cast<std::uint8_t>(i >> 8);
    s.span.bytes[5] = static_cast<std::uint8_t>(i);
    spans.push_back(s);
  }
  auto t = build_tree(std::move(spans));
  CHECK(path(t) == std::vector<section>{{"A", 0, 5}, {"A", 5, 10}});
}

}  // namespace vmterm::jaeger
