#include <catch2/catch.hpp>

#include "health/expect_json.hpp"

using vmterm::health::match;
using vmterm::health::parse_json_expectation;

namespace {
std::string mismatch_of(std::string_view expectation, std::string_view body) {
  auto e = parse_json_expectation(expectation);
  REQUIRE(e);
  auto m = match(*e, body);
  REQUIRE_FALSE(m);
  return m.error().message;
}
bool matches(std::string_view expectation, std::string_view body) {
  auto e = parse_json_expectation(expectation);
  REQUIRE(e);
  return match(*e, body).has_value();
}
std::string parse_error(std::string_view text) {
  auto e = parse_json_expectation(text);
  REQUIRE_FALSE(e);
  return e.error().message;
}
}  // namespace

TEST_CASE("expect-json matches strings as text and other values as JSON", "[health][json]") {
  CHECK(matches(".status=ok", R"({"status":"ok"})"));
  CHECK(matches(".a.b[1]=3", R"({"a":{"b":[1,3]}})"));
  CHECK(matches(".ok=true", R"({"ok":true})"));
  CHECK(matches(".x=null", R"({"x":null})"));
  CHECK(matches(".s=a=b", R"({"s":"a=b"})"));
  CHECK(matches(".=3", "3"));
}

TEST_CASE("expect-json says what it found", "[health][json]") {
  CHECK(mismatch_of(".status=ok", R"({"status":"degraded"})") ==
        R"(.status is "degraded", not "ok")");
  CHECK(mismatch_of(".status=ok", R"({"state":"ok"})") == ".status is missing");
  CHECK(mismatch_of(".a[2]=1", R"({"a":[1]})") == ".a[2] is missing");
  CHECK(mismatch_of(".n=3", R"({"n":4})") == R"(.n is 4, not "3")");
  CHECK(mismatch_of(".status=ok", "<html>") == "the body is not JSON");
}

TEST_CASE("expect-json refuses malformed expectations naming them", "[health][json]") {
  CHECK(parse_error("status=ok") ==
        "'status=ok': the path must start with '.'; use e.g. .status=ok");
  CHECK(parse_error(".status") == "'.status': no '='; use PATH=VALUE, e.g. .status=ok");
  CHECK(parse_error(".a..b=1") == "'.a..b=1': an empty key in the path");
  CHECK(parse_error(".a[x]=1") == "'.a[x]=1': an index must be [N] with N a whole number");
}
