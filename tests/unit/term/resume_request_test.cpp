#include "term/resume_request.hpp"

#include <catch2/catch.hpp>

using vmterm::term::parse_resume_query;
using vmterm::term::resume_request;

TEST_CASE("a query without a session asks for a new session", "[term][resume]") {
  for (const char* q : {"", "x=1", "sessionx=ab"}) {
    const auto r = parse_resume_query(q);
    REQUIRE(r);
    CHECK_FALSE(r->has_value());
  }
}

TEST_CASE("session and offset name a resume", "[term][resume]") {
  auto r = parse_resume_query("session=0123abcd&offset=42");
  REQUIRE(r);
  REQUIRE(r->has_value());
  CHECK(**r == resume_request{"0123abcd", 42, false});
  r = parse_resume_query("offset=18446744073709551615&x=y&session=ff");
  REQUIRE(r);
  CHECK(**r == resume_request{"ff", 18446744073709551615u, false});
  r = parse_resume_query("session=ff");
  REQUIRE(r);
  CHECK((*r)->offset == 0);
}

TEST_CASE("a malformed resume request is refused with the parameter named", "[term][resume]") {
  const auto msg = [](const char* q) {
    const auto r = parse_resume_query(q);
    return r ? std::string("ok") : r.error().message;
  };
  CHECK(msg("session=ff&offset=-1") == "resume: 'offset' must be a whole number");
  CHECK(msg("session=ff&offset=") == "resume: 'offset' must be a whole number");
  CHECK(msg("session=ff&offset=1x") == "resume: 'offset' must be a whole number");
  CHECK(msg("session=ff&offset=99999999999999999999") == "resume: 'offset' must be a whole number");
  CHECK(msg("session=ZZ&offset=1") == "resume: 'session' is not a session id");
  CHECK(msg("session=&offset=1") == "resume: 'session' is not a session id");
  CHECK(msg("offset=3") == "resume: 'offset' needs 'session'");
  CHECK(msg("replay=held") == "resume: 'replay' needs 'session'");
  CHECK(msg("session=ff&offset=3&replay=all") == "resume: 'replay' must be 'held'");
  CHECK(msg("session=ff&offset=3&replay=") == "resume: 'replay' must be 'held'");
}

TEST_CASE("replay=held asks for everything the server still holds", "[term][resume]") {
  const auto r = parse_resume_query("session=ab&offset=7&replay=held");
  REQUIRE(r);
  REQUIRE(r->has_value());
  CHECK(**r == resume_request{"ab", 7, true});
}
