#include "http/url.hpp"

#include <catch2/catch.hpp>

namespace {
using namespace vmterm;

std::string url_error(std::string_view text) {
  const auto r = http::parse_url(text);
  REQUIRE_FALSE(r.has_value());
  return r.error().message;
}
}  // namespace

TEST_CASE("URLs split into scheme, host, port and target", "[http]") {
  const auto u = http::parse_url("HTTP://Example.com:8080/a%20b/c?x=1&y=2#frag");
  REQUIRE(u.has_value());
  CHECK(u->scheme == "http");
  CHECK(u->host == "Example.com");
  CHECK(u->port == 8080);
  CHECK(u->path == "/a%20b/c");
  CHECK(u->query == "x=1&y=2");
  CHECK(u->target() == "/a%20b/c?x=1&y=2");
  CHECK(u->authority() == "Example.com:8080");
  CHECK(u->str() == "http://Example.com:8080/a%20b/c?x=1&y=2");
}

TEST_CASE("Default ports, empty paths and IPv6 hosts", "[http]") {
  const auto a = http::parse_url("https://h");
  REQUIRE(a.has_value());
  CHECK(a->port == 443);
  CHECK(a->tls());
  CHECK(a->target() == "/");
  CHECK(a->authority() == "h");
  const auto b = http::parse_url("http://[::1]:4318/v1/traces");
  REQUIRE(b.has_value());
  CHECK(b->host == "::1");
  CHECK(b->authority() == "[::1]:4318");
  CHECK(http::parse_url("http://h:80/")->authority() == "h");
  CHECK(http::parse_url("http://h:/x")->port == 80);
}

TEST_CASE("Bad URLs are refused with the URL and the reason", "[http]") {
  CHECK(url_error("") == "parse URL '': the URL is empty; use http://host:port/path");
  CHECK(url_error("ftp://h/") ==
        "parse URL 'ftp://h/': scheme 'ftp' is not supported; use http:// or https://");
  CHECK(url_error("/v1/traces").starts_with("parse URL '/v1/traces': not an absolute URL ("));
  CHECK(url_error("http:///x") == "parse URL 'http:///x': the URL has no host");
  CHECK(url_error("http://h:99999/") ==
        "parse URL 'http://h:99999/': port '99999' is not in 1..65535");
  CHECK(url_error("http://h:0/") == "parse URL 'http://h:0/': port '0' is not in 1..65535");
  CHECK(url_error("http://user:secret@h/") ==
        "parse URL 'http://***@h/': user info in URLs is not supported; send credentials in a "
        "header");
}

TEST_CASE("join_path puts exactly one slash between base and tail", "[http]") {
  CHECK(http::join_path("/", "v1/traces") == "/v1/traces");
  CHECK(http::join_path("/base", "/v1/traces") == "/base/v1/traces");
  CHECK(http::join_path("/base//", "v1/traces") == "/base/v1/traces");
  CHECK(http::join_path("", "v1/traces") == "/v1/traces");
}
