#include "ssh/target.hpp"

#include <catch2/catch.hpp>

using vmterm::ssh::parse_target;
using vmterm::ssh::target;

TEST_CASE("a target is USER@HOST with port 22 unless given", "[ssh]") {
  CHECK(parse_target("ec2-user@ec2-1-2-3-4.compute.amazonaws.com").value() ==
        target{"ec2-user", "ec2-1-2-3-4.compute.amazonaws.com", 22});
  CHECK(parse_target("admin@10.0.0.5:2222").value() == target{"admin", "10.0.0.5", 2222});
}

TEST_CASE("IPv6 targets use brackets for a port, or stand bare without one", "[ssh]") {
  CHECK(parse_target("u@[::1]:2222").value() == target{"u", "::1", 2222});
  CHECK(parse_target("u@[fe80::1]").value() == target{"u", "fe80::1", 22});
  CHECK(parse_target("u@2001:db8::7").value() == target{"u", "2001:db8::7", 22});
}

TEST_CASE("a target without a user takes the default user (AWS_USERNAME)", "[ssh]") {
  CHECK(parse_target("host.example", "ubuntu").value() == target{"ubuntu", "host.example", 22});
  CHECK(parse_target("admin@host.example", "ubuntu").value().user == "admin");
}

TEST_CASE("bad targets are refused with a message naming the input", "[ssh]") {
  const auto msg = [](std::string_view text) {
    auto r = parse_target(text);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == std::make_error_code(std::errc::invalid_argument));
    return r.error().message;
  };
  CHECK(msg("") == "ssh target '': empty; expected USER@HOST[:PORT]");
  CHECK(msg("host") ==
        "ssh target 'host': no user name (give USER@ or set AWS_USERNAME); expected "
        "USER@HOST[:PORT]");
  CHECK(msg("@host") ==
        "ssh target '@host': empty user name before '@'; expected USER@HOST[:PORT]");
  CHECK(msg("u@") == "ssh target 'u@': empty host; expected USER@HOST[:PORT]");
  CHECK(msg("u@h:") == "ssh target 'u@h:': empty port after ':'; expected USER@HOST[:PORT]");
  CHECK(msg("u@h:ssh") ==
        "ssh target 'u@h:ssh': port 'ssh' is not a number in 1..65535; expected USER@HOST[:PORT]");
  CHECK(msg("u@h:0") ==
        "ssh target 'u@h:0': port '0' is not a number in 1..65535; expected USER@HOST[:PORT]");
  CHECK(msg("u@h:65536") ==
        "ssh target 'u@h:65536': port '65536' is not a number in 1..65535; expected "
        "USER@HOST[:PORT]");
  CHECK(msg("u@[::1") == "ssh target 'u@[::1': '[' without ']'; expected USER@HOST[:PORT]");
  CHECK(msg("u@[::1]x") ==
        "ssh target 'u@[::1]x': unexpected text after ']'; expected USER@HOST[:PORT]");
  CHECK(msg("u@[]:22") == "ssh target 'u@[]:22': empty host; expected USER@HOST[:PORT]");
  CHECK(msg("u@a b") ==
        "ssh target 'u@a b': invalid character in host 'a b'; expected USER@HOST[:PORT]");
}

TEST_CASE("a host with one ':' is refused: it could not be written back (a fuzzer finding)",
          "[ssh]") {
  const auto msg = [](std::string_view text) { return parse_target(text).error().message; };
  CHECK(msg("u@[:>1]:22") ==
        "ssh target 'u@[:>1]:22': host ':>1' is neither a name nor an IPv6 address; expected "
        "USER@HOST[:PORT]");
  CHECK(msg("u@[a:b]") ==
        "ssh target 'u@[a:b]': host 'a:b' is neither a name nor an IPv6 address; expected "
        "USER@HOST[:PORT]");
  CHECK(parse_target("u@[::1]").value() == target{"u", "::1", 22});
}

TEST_CASE("a target prints as a user types it", "[ssh]") {
  CHECK(to_string(target{"u", "h", 22}) == "u@h");
  CHECK(to_string(target{"u", "h", 2222}) == "u@h:2222");
  CHECK(to_string(target{"u", "::1", 2222}) == "u@[::1]:2222");
}
