#include "http/listen_address.hpp"

#include <catch2/catch.hpp>

using namespace vmterm::http;

namespace {

std::string error_of(std::string_view text) {
  const auto r = parse_listen_address(text);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == std::errc::invalid_argument);
  return r.error().message;
}

}  // namespace

TEST_CASE("Listen addresses take IPv4, bracketed IPv6 and localhost with a port", "[http]") {
  CHECK(*parse_listen_address("127.0.0.1:8000") == endpoint{"127.0.0.1", 8000});
  CHECK(*parse_listen_address("0.0.0.0:0") == endpoint{"0.0.0.0", 0});
  CHECK(*parse_listen_address("[::1]:9000") == endpoint{"::1", 9000});
  CHECK(*parse_listen_address("localhost:80") == endpoint{"127.0.0.1", 80});
  CHECK(endpoint{"::1", 9000}.str() == "[::1]:9000");
  CHECK(endpoint{"127.0.0.1", 8000}.str() == "127.0.0.1:8000");
}

TEST_CASE("A NUL byte in a listen address is refused, not cut off (a fuzzer finding)", "[http]") {
  CHECK_FALSE(parse_listen_address(std::string_view("127.0.0.1\0x:80", 14)));
  CHECK_FALSE(parse_listen_address(std::string_view("[::1\0x]:80", 10)));
}

TEST_CASE("Listen address errors name the input and the expected form", "[http]") {
  CHECK(error_of("127.0.0.1") ==
        "parse listen address '127.0.0.1': missing port; use HOST:PORT such as 127.0.0.1:8000");
  CHECK(error_of("") ==
        "parse listen address '': empty address; use HOST:PORT such as 127.0.0.1:8000");
  CHECK(error_of("127.0.0.1:http") ==
        "parse listen address '127.0.0.1:http': port 'http' is not a number from 0 to 65535; "
        "use HOST:PORT such as 127.0.0.1:8000");
  CHECK(error_of("127.0.0.1:70000") ==
        "parse listen address '127.0.0.1:70000': port '70000' is not a number from 0 to 65535; "
        "use HOST:PORT such as 127.0.0.1:8000");
  CHECK(error_of("example.com:80") ==
        "parse listen address 'example.com:80': host 'example.com' is not an IP address (IPv6 "
        "goes in brackets); use HOST:PORT such as 127.0.0.1:8000");
  CHECK(error_of(":8000") ==
        "parse listen address ':8000': missing host; use HOST:PORT such as 127.0.0.1:8000");
  CHECK(error_of("[nope]:1") ==
        "parse listen address '[nope]:1': 'nope' is not an IPv6 address; use HOST:PORT such as "
        "127.0.0.1:8000");
}
