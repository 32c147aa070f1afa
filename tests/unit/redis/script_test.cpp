#include <catch2/catch.hpp>

#include "redis/script.hpp"

TEST_CASE("a script's SHA1 is what Redis's SCRIPT LOAD answers", "[redis][script]") {
  // `redis-cli SCRIPT LOAD "return 1"` answers e0e1f9fabfc9d4800c877a703b823ac0578ff8db.
  vmterm::redis::script s("one", "return 1");
  CHECK(s.name() == "one");
  CHECK(s.source() == "return 1");
  CHECK(s.sha1() == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
  vmterm::redis::script empty("empty", "");
  CHECK(empty.sha1() == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}
