#include "ssh/key_file.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "process.hpp"
#include "temp_dir.hpp"

using namespace vmterm::ssh;

TEST_CASE("a key file readable by group or others is refused with the chmod that fixes it",
          "[ssh]") {
  vmterm::test::temp_dir dir{"vmterm-key"};
  const auto key = dir.path() / "aws.pem";
  vmterm::test::write_file(key, "secret");
  REQUIRE(::chmod(key.c_str(), 0644) == 0);
  auto r = check_private_file(key, "identity file");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "identity file '" + key.string() +
                                 "': permissions 0644 are too open (group or others can read "
                                 "it); run chmod 600 " +
                                 key.string());
  REQUIRE(::chmod(key.c_str(), 0640) == 0);
  CHECK_FALSE(check_private_file(key, "identity file").has_value());
  REQUIRE(::chmod(key.c_str(), 0600) == 0);
  CHECK(check_private_file(key, "identity file").has_value());
  REQUIRE(::chmod(key.c_str(), 0400) == 0);
  CHECK(check_private_file(key, "identity file").has_value());
}

TEST_CASE("a missing key file is an error naming it", "[ssh]") {
  auto r = check_private_file("/nonexistent/key.pem", "identity file");
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().message == "identity file '/nonexistent/key.pem': No such file or directory");
}

TEST_CASE("a passphrase file gives its first line, and must be private too", "[ssh]") {
  vmterm::test::temp_dir dir{"vmterm-key"};
  const auto file = dir.path() / "pass";
  vmterm::test::write_file(file, "correct horse\r\nsecond line\n");
  REQUIRE(::chmod(file.c_str(), 0600) == 0);
  CHECK(read_passphrase_file(file).value() == "correct horse");
  vmterm::test::write_file(file, "");
  CHECK(read_passphrase_file(file).value().empty());
  REQUIRE(::chmod(file.c_str(), 0604) == 0);
  auto r = read_passphrase_file(file);
  REQUIRE_FALSE(r.has_value());
  CHECK_THAT(r.error().message, Catch::StartsWith("passphrase file '" + file.string() +
                                                  "': permissions 0604 are too open"));
}
