#include "jaeger/span_tree.hpp"

#include <catch2/catch.hpp>

#include "make_span.hpp"

namespace vmterm::jaeger {
using namespace test;

TEST_CASE("A tree links children by span id, sorted by start, with depth and self time",
          "[jaeger]") {
  // A [0,100]: B [10,50] (D [20,30]), C [40,90]; given out of order.
  auto t = build_tree({span("d", "b", "D", 20, 30), span("c", "a", "C", 40, 90),
                       span("a", "", "A", 0, 100), span("b", "a", "B", 10, 50)});
  CHECK(t.id == tid());
  REQUIRE(t.roots.size() == 1);
  CHECK(t.root().span.name == "A");
  CHECK(names_in_order(t) == std::vector<std::string>{"A", "B", "D", "C"});
  CHECK(node(t, "a").depth == 0);
  CHECK(node(t, "d").depth == 2);
  CHECK(t.nodes[node(t, "b").parent].span.name == "A");
  CHECK(node(t, "a").self_time_ns == 20'000);  // 100 - |[10,90]|
  CHECK(node(t, "b").self_time_ns == 30'000);
  CHECK(node(t, "c").self_time_ns == 50'000);
  CHECK(node(t, "d").self_time_ns == 10'000);
  CHECK(t.start_unix_nano == t0_ns);
  CHECK(t.duration_ns() == 100'000);
  CHECK(t.orphan_count == 0);
  CHECK(t.skew_count == 0);
}

TEST_CASE("Only children that start before their parent are flagged as clock skew", "[jaeger]") {
  auto t = build_tree({span("a", "", "A", 10, 20), span("b", "a", "early", 5, 15),
                       span("c", "a", "late", 15, 30), span("d", "a", "inside", 12, 13)});
  CHECK(node(t, "b").clock_skew);
  CHECK_FALSE(node(t, "c").clock_skew);  // ends after its parent: asynchronous, not skew
  CHECK_FALSE(node(t, "d").clock_skew);
  CHECK(t.skew_count == 1);
  CHECK(node(t, "a").self_time_ns == 0);  // children cover it, clipped to its time
  CHECK(names_in_order(t) == std::vector<std::string>{"A", "early", "inside", "late"});
  CHECK(t.start_unix_nano == t0_ns + 5'000);
  CHECK(t.end_unix_nano == t0_ns + 30'000);
}

TEST_CASE("Asynchronous children that outlive their parent are not clock skew", "[jaeger]") {
  // vmterm-serve: the WebSocket span outlives the upgrade request that started it; Celery: the
  // worker's run/ span starts after apply_async/ ended and lasts longer.
  auto t = build_tree({span("g", "", "GET /ws/terminal/", 0, 3, "vmterm-serve"),
                       span("w", "g", "WS /ws/terminal/", 2, 60'000'000, "vmterm-serve"),
                       span("p", "w", "apply_async/tasks.report", 100, 105, "vmterm-serve"),
                       span("r", "p", "run/tasks.report", 900, 250'000, "worker"),
                       span("s", "p", "run/tasks.short", 104, 106, "worker")});
  CHECK(t.skew_count == 0);
  for (const auto& n : t.nodes) CHECK_FALSE(n.clock_skew);
}

TEST_CASE("A child starting within the tolerance before its parent is not clock skew", "[jaeger]") {
  auto parent = span("a", "", "A", 10, 20);
  auto close = span("b", "a", "rounded", 10, 12);
  close.start_unix_nano -= clock_skew_tolerance_ns;  // float-seconds rounding, at the limit
  auto beyond = span("c", "a", "skewed", 10, 12);
  beyond.start_unix_nano -= clock_skew_tolerance_ns + 1;
  auto t = build_tree({parent, close, beyond});
  CHECK_FALSE(node(t, "b").clock_skew);
  CHECK(node(t, "c").clock_skew);
  CHECK(t.skew_count == 1);
}

TEST_CASE("Spans whose parent is missing become extra roots after the true root", "[jaeger]") {
  auto t = build_tree({span("x", "404", "orphan-early", 0, 5), span("a", "", "root", 10, 50),
                       span("y", "405", "orphan-late", 20, 30), span("b", "a", "child", 11, 12)});
  REQUIRE(t.roots.size() == 3);
  CHECK(t.root().span.name == "root");
  CHECK(t.nodes[t.roots[1]].span.name == "orphan-early");
  CHECK(t.nodes[t.roots[2]].span.name == "orphan-late");
  CHECK(t.orphan_count == 2);
  CHECK(node(t, "x").orphan);
  CHECK_FALSE(node(t, "a").orphan);
  CHECK(names_in_order(t) ==
        std::vector<std::string>{"root", "child", "orphan-early", "orphan-late"});
}

TEST_CASE("A trace of only orphans uses the earliest as its main root", "[jaeger]") {
  auto t = build_tree({span("b", "1", "second", 5, 9), span("a", "1", "first", 0, 9)});
  CHECK(t.root().span.name == "first");
  CHECK(t.orphan_count == 2);
}

TEST_CASE("Duplicate span ids are both kept, counted, and children attach by time", "[jaeger]") {
  auto t = build_tree({span("r", "", "root", 0, 100), span("d", "r", "first-d", 0, 40),
                       span("d", "r", "second-d", 50, 90), span("k1", "d", "under-first", 10, 20),
                       span("k2", "d", "under-second", 60, 70)});
  CHECK(t.duplicate_count == 1);
  CHECK(t.nodes[1].duplicate_id);
  CHECK(t.nodes[2].duplicate_id);
  CHECK_FALSE(t.nodes[0].duplicate_id);
  CHECK(t.nodes[3].parent == 1);
  CHECK(t.nodes[4].parent == 2);
  CHECK(names_in_order(t) ==
        std::vector<std::string>{"root", "first-d", "under-first", "second-d", "under-second"});
}

TEST_CASE("A span naming its own twin as parent does not loop", "[jaeger]") {
  // Zipkin-style shared ids: both halves carry id "s"; one names "s" as its parent.
  auto t = build_tree({span("s", "", "client", 0, 10), span("s", "s", "server", 1, 9)});
  CHECK(t.duplicate_count == 1);
  CHECK(t.nodes[1].parent == 0);
  CHECK(t.cycle_count == 0);
  CHECK(t.order.size() == 2);
}

TEST_CASE("Reference cycles are cut at their earliest span and never loop", "[jaeger]") {
  SECTION("a three-span cycle with no root") {
    auto t = build_tree(
        {span("a", "c", "A", 0, 30), span("b", "a", "B", 5, 20), span("c", "b", "C", 10, 15)});
    CHECK(t.cycle_count == 1);
    CHECK(node(t, "a").cycle_broken);
    CHECK(node(t, "a").parent == no_node);
    CHECK(t.root().span.name == "A");
    CHECK(names_in_order(t) == std::vector<std::string>{"A", "B", "C"});
    CHECK(node(t, "c").depth == 2);
  }
  SECTION("a span that is its own parent") {
    auto t = build_tree({span("r", "", "root", 0, 10), span("s", "s", "self", 1, 2)});
    CHECK(t.cycle_count == 1);
    CHECK(node(t, "s").cycle_broken);
    CHECK_FALSE(node(t, "s").orphan);
    CHECK(t.root().span.name == "root");
    CHECK(t.order.size() == 2);
  }
  SECTION("a cycle hanging off a real tree") {
    auto t = build_tree({span("r", "", "root", 0, 100), span("x", "y", "X", 10, 20),
                         span("y", "x", "Y", 15, 18), span("z", "y", "Z", 16, 17)});
    CHECK(t.cycle_count == 1);
    CHECK(t.order.size() == 4);
    CHECK(t.root().span.name == "root");
    CHECK(names_in_order(t) == std::vector<std::string>{"root", "X", "Y", "Z"});
  }
}

TEST_CASE("Spans of several traces become one tree each, in order of first appearance",
          "[jaeger]") {
  auto other = span("b", "", "other-root", 0, 5);
  other.trace = tid("00000000000000000000000000000002");
  auto trees = build_trees({span("a", "", "root", 0, 10), other, span("c", "a", "child", 1, 2)});
  REQUIRE(trees.size() == 2);
  CHECK(trees[0].nodes.size() == 2);
  CHECK(trees[1].root().span.name == "other-root");
  CHECK(trees[1].id.hex() == "00000000000000000000000000000002");
}

TEST_CASE("A 100,000-deep chain builds without recursion", "[jaeger]") {
  std::vector<trace::span_data> spans;
  constexpr std::uint64_t n = 100'000;
  for (std::uint64_t i = 1; i <= n; ++i) {
    auto s = span("1", "", "s", i, 2 * n + 1 - i);
    s.span.bytes[7] = static_cast<std::uint8_t>(i);
    s.span.bytes[6] = static_cast<std::uint8_t>(i >> 8);
    s.span.bytes[5] = static_cast<std::uint8_t>(i >> 16);
    if (i > 1) {
      s.parent = spans.back().span;
    } else {
      s.parent = {};
    }
    spans.push_back(std::move(s));
  }
  auto t = build_tree(std::move(spans));
  CHECK(t.roots.size() == 1);
  CHECK(t.nodes.back().depth == n - 1);
  CHECK(t.order.size() == n);
  CHECK(t.nodes.back().on_critical_path);
}

TEST_CASE("An empty input builds an empty tree", "[jaeger]") {
  auto t = build_tree({});
  CHECK(t.nodes.empty());
  CHECK(t.roots.empty());
  CHECK(build_trees({}).empty());
}

}  // namespace vmterm::jaeger
