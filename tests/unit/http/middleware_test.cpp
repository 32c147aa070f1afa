#include "http/middleware.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace vmterm::http;

TEST_CASE(
    "Request ids of up to 128 characters of letters, digits, dot, underscore and dash are kept",
    "[http]") {
  CHECK(valid_request_id("abc-DEF_123.x"));
  CHECK(valid_request_id(std::string(128, 'a')));
  CHECK_FALSE(valid_request_id(std::string(129, 'a')));
  CHECK_FALSE(valid_request_id(""));
  CHECK_FALSE(valid_request_id("a b"));
  CHECK_FALSE(valid_request_id("a\r\nSet-Cookie: x"));
  CHECK_FALSE(valid_request_id("id/../x"));
}

TEST_CASE("An invalid or missing request id is replaced by a generated one", "[http]") {
  CHECK(request_id_for(headers{{"x-request-id", "keep.me"}}) == "keep.me");
  const std::string made = request_id_for(headers{{"X-Request-ID", "bad id"}});
  CHECK(made.size() == 32);
  CHECK(valid_request_id(made));
  CHECK(generate_request_id() != generate_request_id());
  CHECK(request_id_for(headers{}).size() == 32);
}

TEST_CASE("Security headers are set on a response", "[http]") {
  headers h{{"Content-Security-Policy", "weak"}};
  add_security_headers(h);
  CHECK(h.get("Content-Security-Policy") == content_security_policy);
  CHECK(h.get("X-Content-Type-Options") == "nosniff");
  CHECK(h.get("Referrer-Policy") == "no-referrer");
  CHECK(h.size() == 3);
}

TEST_CASE("Unknown methods become _OTHER for metrics and spans", "[http]") {
  CHECK(known_method("GET") == "GET");
  CHECK(known_method("PATCH") == "PATCH");
  CHECK(known_method("get") == "_OTHER");
  CHECK(known_method("BREW") == "_OTHER");
}
