#include "core/address.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "core/command_line.hpp"

using namespace vmterm;

TEST_CASE("Loopback means 127.0.0.0/8 and ::1, nothing else", "[core]") {
  CHECK(address::is_loopback("127.0.0.1"));
  CHECK(address::is_loopback("127.255.0.9"));
  CHECK(address::is_loopback("::1"));
  CHECK_FALSE(address::is_loopback("0.0.0.0"));
  CHECK_FALSE(address::is_loopback("128.0.0.1"));
  CHECK_FALSE(address::is_loopback("::"));
  CHECK_FALSE(address::is_loopback("localhost"));
  CHECK_FALSE(address::is_loopback("127.0.0.1.example.com"));
  CHECK_FALSE(address::is_loopback(std::string(100, '1')));
  CHECK_FALSE(address::is_loopback(std::string("127.0.0.1\0x", 11)));
}

TEST_CASE("Origins are * or http(s)://host[:port]", "[core]") {
  CHECK(address::valid_origin("*"));
  CHECK(address::valid_origin("https://example.com"));
  CHECK(address::valid_origin("http://[::1]:8000/"));
  CHECK_FALSE(address::valid_origin("example.com"));
  CHECK_FALSE(address::valid_origin("ftp://example.com"));
  CHECK_FALSE(address::valid_origin("https://"));
  CHECK_FALSE(address::valid_origin("https://example.com/path"));
}

TEST_CASE("Command lines split at blanks and quote as sh does, without expansion", "[core]") {
  using words = std::vector<std::string>;
  CHECK(parse::split_command("bash -l").value() == words{"bash", "-l"});
  CHECK(parse::split_command("  a\t'b c'  \"d \\\" $e\" f\\ g ").value() ==
        words{"a", "b c", "d \" $e", "f g"});
  CHECK(parse::split_command("''").value() == words{""});
  CHECK(parse::split_command("   ").error().message == "empty command");
  CHECK(parse::split_command("a 'b").error().message == "unterminated ' quote");
  CHECK(parse::split_command("a \"b").error().message == "unterminated \" quote");
}
