#include "jaeger/tree_filter.hpp"

#include <catch2/catch.hpp>

#include "make_span.hpp"

namespace vmterm::jaeger {
using namespace test;

namespace {

// root (web) [0,100]
// ├─ auth (web) [5,10]
// └─ query (api) [20,90]
//    ├─ db (db) [30,40]  error
//    └─ cache (api) [50,85]
trace_tree sample() {
  auto db = span("d", "q", "db", 30, 40, "db");
  db.status = {trace::status_code::error, "timeout"};
  return build_tree({span("r", "", "root", 0, 100, "web"), span("a", "r", "auth", 5, 10, "web"),
                     span("q", "r", "query", 20, 90, "api"), db,
                     span("c", "q", "cache", 50, 85, "api")});
}

std::vector<std::string> shown(const trace_tree& t, const visibility& v) {
  std::vector<std::string> out;
  for (auto i : t.order) {
    if (v[i]) out.push_back(t.nodes[i].span.name);
  }
  return out;
}

}  // namespace

TEST_CASE("No filter shows every span", "[jaeger]") {
  const auto t = sample();
  CHECK(tree_filter{}.empty());
  CHECK(visible_count(select(t, {})) == 5);
}

TEST_CASE("the depth filter (--depth) cuts spans below the given depth", "[jaeger]") {
  const auto t = sample();
  CHECK(shown(t, select(t, {.max_depth = 0})) == std::vector<std::string>{"root"});
  CHECK(shown(t, select(t, {.max_depth = 1})) == std::vector<std::string>{"root", "auth", "query"});
}

TEST_CASE("the duration filter (--min-duration) keeps long spans and their ancestors", "[jaeger]") {
  const auto t = sample();
  CHECK(shown(t, select(t, {.min_duration_ns = 30'000})) ==
        std::vector<std::string>{"root", "query", "cache"});
}

TEST_CASE("the error filter (--errors) keeps error spans and their ancestors", "[jaeger]") {
  const auto t = sample();
  CHECK(shown(t, select(t, {.errors_only = true})) ==
        std::vector<std::string>{"root", "query", "db"});
}

TEST_CASE("the service filter (--service) keeps that service's spans and their ancestors",
          "[jaeger]") {
  const auto t = sample();
  CHECK(shown(t, select(t, {.service = "db"})) == std::vector<std::string>{"root", "query", "db"});
  CHECK(shown(t, select(t, {.service = "nope"})).empty());
}

TEST_CASE("the critical-path filter (--critical-path) keeps only the critical path", "[jaeger]") {
  const auto t = sample();
  // From 100: root [90,100], query [85,90], cache [50,85], query [40,50], db [30,40],
  // query [20,30], root [10,20], auth [5,10], root [0,5]: every span is on it.
  CHECK(shown(t, select(t, {.critical_path_only = true})) ==
        std::vector<std::string>{"root", "auth", "query", "db", "cache"});
  const auto chain = build_tree(
      {span("r", "", "root", 0, 100), span("a", "r", "a", 0, 60), span("b", "r", "b", 10, 20)});
  CHECK(shown(chain, select(chain, {.critical_path_only = true})) ==
        std::vector<std::string>{"root", "a"});
}

TEST_CASE("Filters combine: every criterion must match, then depth applies", "[jaeger]") {
  const auto t = sample();
  CHECK(shown(t, select(t, {.max_depth = 1, .errors_only = true})) ==
        std::vector<std::string>{"root", "query"});
  CHECK(shown(t, select(t, {.min_duration_ns = 20'000, .service = "db"})).empty());
}

}  // namespace vmterm::jaeger
