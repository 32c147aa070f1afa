#include "core/error.hpp"

#include <catch2/catch.hpp>

using namespace vmterm;

namespace {

expected<int> half(int n) {
  if (n % 2 != 0)
    return fail(std::errc::invalid_argument, "halve '" + std::to_string(n) + "': odd");
  return n / 2;
}

}  // namespace

TEST_CASE("expected carries a value or an error with code and message", "[core][error]") {
  REQUIRE(half(4));
  CHECK(*half(4) == 2);
  const auto e = half(3);
  REQUIRE_FALSE(e);
  CHECK(e.error().code == std::errc::invalid_argument);
  CHECK(e.error().what() == "halve '3': odd");
}

TEST_CASE("errors compose with and_then and keep the first failure", "[core][error]") {
  const auto r = half(12).and_then(half).and_then(half);
  CHECK_FALSE(r);
  CHECK(r.error().message == "halve '3': odd");
  CHECK(half(8).and_then(half).value() == 2);
}

TEST_CASE("with_context prefixes the message and keeps the code", "[core][error]") {
  const auto e = with_context(half(5).error(), "vmterm-test");
  CHECK(e.message == "vmterm-test: halve '5': odd");
  CHECK(e.code == std::errc::invalid_argument);
}
