#include "trace/traced.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>

#include "fixture.hpp"
#include "trace/provider.hpp"

using namespace vmterm::trace;

namespace {

/// Installs a recording provider as the global one for the test's duration.
struct global_recording {
  test::recording rec;
  global_recording() { provider::set(rec.provider); }
  ~global_recording() { provider::reset(); }
};

namespace demo {
int traced_leaf() {
  auto s = VMTERM_TRACE_FUNCTION();
  return 7;
}
int traced_parent() {
  auto s = VMTERM_TRACE_FUNCTION();
  return traced_leaf();
}
void traced_thrower() {
  auto s = VMTERM_TRACE_FUNCTION();
  throw std::runtime_error("boom");
}
}  // namespace demo

}  // namespace

TEST_CASE("function names are cut out of source_location signatures", "[trace][traced]") {
  CHECK(function_name_of("int {anonymous}::demo::traced_leaf()") ==
        "{anonymous}::demo::traced_leaf");
  CHECK(function_name_of("void ns::cls::method(int) const") == "ns::cls::method");
  CHECK(function_name_of("std::vector<int> ns::f(std::map<int, int>)") == "ns::f");
  CHECK(function_name_of("void ns::g(T) [with T = int]") == "ns::g");
  CHECK(function_name_of("auto ns::cls::operator()(int) const") == "ns::cls::operator()");
  CHECK(function_name_of("main") == "main");
}

TEST_CASE("VMTERM_TRACE_FUNCTION names the span and records code.* attributes", "[trace][traced]") {
  global_recording g;
  CHECK(demo::traced_parent() == 7);
  auto spans = g.rec.store->spans();
  REQUIRE(spans.size() == 2);
  const auto& leaf = spans[0];
  const auto& parent = spans[1];
  CHECK(leaf.name == "{anonymous}::demo::traced_leaf");
  CHECK(parent.name == "{anonymous}::demo::traced_parent");
  CHECK(leaf.parent == parent.span);  // the macro makes its span current
  CHECK(leaf.trace == parent.trace);
  CHECK(*find_attribute(leaf.attrs, "code.function.name") ==
        attribute_value(std::string("{anonymous}::demo::traced_leaf")));
  const auto* file = find_attribute(leaf.attrs, "code.file.path");
  REQUIRE(file != nullptr);
  CHECK(std::get<std::string>(*file).ends_with("traced_test.cpp"));
  const auto* line_no = find_attribute(leaf.attrs, "code.line.number");
  REQUIRE(line_no != nullptr);
  CHECK(std::get<std::int64_t>(*line_no) == 22);  // the line of traced_leaf's macro
  CHECK(leaf.status.code == status_code::unset);
  CHECK_FALSE(current_context().span.valid());
}

TEST_CASE("an exception leaving a traced function sets error status", "[trace][traced]") {
  global_recording g;
  CHECK_THROWS_AS(demo::traced_thrower(), std::runtime_error);
  auto spans = g.rec.store->spans();
  REQUIRE(spans.size() == 1);
  CHECK(spans[0].status == status{status_code::error, "exception escaped the span"});
}

TEST_CASE("traced(fn) records the exception's type and message and rethrows", "[trace][traced]") {
  global_recording g;
  CHECK(traced([] { return 3; }, "compute") == 3);
  CHECK_THROWS_AS(traced([]() -> int { throw std::invalid_argument("bad port"); }),
                  std::invalid_argument);
  auto spans = g.rec.store->spans();
  REQUIRE(spans.size() == 2);
  CHECK(spans[0].name == "compute");
  CHECK(spans[0].status.code == status_code::unset);
  CHECK(spans[1].status == status{status_code::error, "bad port"});
  REQUIRE(spans[1].events.size() == 1);
  CHECK(*find_attribute(spans[1].events[0].attrs, "exception.type") ==
        attribute_value(std::string("std::invalid_argument")));
}

TEST_CASE("the global provider is a no-op by default and never null", "[trace][provider]") {
  provider::reset();
  auto p = provider::get();
  REQUIRE(p != nullptr);
  CHECK_FALSE(p->enabled());
  auto s = get_tracer("x").start_span("y");
  CHECK_FALSE(s.is_recording());
  const auto before = provider::generation();
  {
    global_recording g;
    CHECK(provider::generation() > before);
    CHECK(provider::get() == g.rec.provider);
  }
  CHECK_FALSE(provider::get()->enabled());
}
