#include "ssh/host_key.hpp"

#include <catch2/catch.hpp>

using namespace vmterm::ssh;

namespace {
// Made with `ssh-keygen -t ed25519`; `ssh-keygen -l -E sha256` printed the fingerprint.
constexpr std::string_view key_b64 =
    "AAAAC3NzaC1lZDI1NTE5AAAAIG9tKh+JJj+qYq7GeA2pY8/A6wpQh+DkVZqSgwip6MNq";
constexpr std::string_view key_fp = "SHA256:9TNVgqD424K9TkC8V/4VRbFg08fr9CBFRWyWwoLNT5s";
}  // namespace

TEST_CASE("the SHA256 fingerprint is what ssh-keygen prints: unpadded base64", "[ssh]") {
  const auto key = host_key_from_text("ssh-ed25519", key_b64);
  REQUIRE(key.has_value());
  CHECK(key->type == "ssh-ed25519");
  CHECK(key->blob.size() == 51);
  CHECK(fingerprint_sha256(key->blob) == key_fp);
}

TEST_CASE("a key's type comes from its blob and must agree with the text", "[ssh]") {
  const auto blob = base64_decode(key_b64);
  REQUIRE(blob.has_value());
  CHECK(host_key_from_blob(*blob)->type == "ssh-ed25519");
  CHECK_FALSE(host_key_from_text("ssh-rsa", key_b64).has_value());
  CHECK_FALSE(host_key_from_blob("\x00\x00").has_value());
  CHECK_FALSE(host_key_from_blob(std::string("\x00\x00\x00\x09ssh", 7)).has_value());
}

TEST_CASE("base64 round-trips every length and refuses bad input", "[ssh]") {
  for (std::string s : {"", "a", "ab", "abc", "abcd", "\x00\xff\x10"}) {
    if (s.empty()) {
      CHECK(base64_encode(s).empty());
      continue;
    }
    CHECK(base64_decode(base64_encode(s)) == s);
  }
  CHECK(base64_encode("ab") == "YWI=");
  CHECK_FALSE(base64_decode("YWI").has_value());
  CHECK_FALSE(base64_decode("Y!I=").has_value());
  CHECK_FALSE(base64_decode("").has_value());
}
