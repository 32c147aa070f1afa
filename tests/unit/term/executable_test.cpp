// The one PATH lookup: what the readiness check reports and what the PTY spawns agree.

#include "term/executable.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "temp_dir.hpp"

using vmterm::term::find_executable;
using vmterm::term::not_executable;

TEST_CASE("a bare name is looked up along PATH; a path with '/' is taken as is", "[term][path]") {
  auto found = find_executable("sh", "/nonexistent:/bin");
  REQUIRE(found);
  CHECK(*found == "/bin/sh");
  found = find_executable("/bin/sh", "");
  REQUIRE(found);
  CHECK(*found == "/bin/sh");
  found = find_executable("vmterm-no-such-program", "/bin:/usr/bin");
  REQUIRE_FALSE(found);
  CHECK(found.error().message == "'vmterm-no-such-program' is not found in PATH");
  CHECK(not_executable("/etc/passwd") == "'/etc/passwd' is not executable");
}

TEST_CASE("an empty PATH entry is the current directory, as POSIX says", "[term][path]") {
  vmterm::test::temp_dir dir;
  vmterm::test::write_file(dir / "tool", "#!/bin/sh\nexit 0\n", std::filesystem::perms::owner_all);
  const auto before = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  const auto leading = find_executable("tool", ":/nonexistent");
  const auto trailing = find_executable("tool", "/nonexistent:");
  std::filesystem::current_path(before);
  REQUIRE(leading);
  CHECK(*leading == "./tool");
  REQUIRE(trailing);
  CHECK(*trailing == "./tool");
}
