#include "ssh/host_key_policy.hpp"

#include <catch2/catch.hpp>

#include "ssh/errors.hpp"
#include "ssh/exit_signal.hpp"
#include "ssh/known_hosts.hpp"
#include "temp_dir.hpp"

using namespace vmterm;
using namespace vmterm::ssh;

namespace {
constexpr std::string_view key_a =
    "AAAAC3NzaC1lZDI1NTE5AAAAIG9tKh+JJj+qYq7GeA2pY8/A6wpQh+DkVZqSgwip6MNq";
constexpr std::string_view key_b =
    "AAAAC3NzaC1lZDI1NTE5AAAAIL42vOx9VTfW+HP/agvPUHNGxeEIneHCQ4k48dQh3Pf2";
constexpr std::string_view fp_a = "SHA256:9TNVgqD424K9TkC8V/4VRbFg08fr9CBFRWyWwoLNT5s";
const target host{"admin", "10.0.0.5", 2222};
}  // namespace

TEST_CASE("host key policy: a known key passes", "[ssh]") {
  vmterm::test::temp_dir dir{"vmterm-policy"};
  const auto kh = dir / "known_hosts";
  const auto key = host_key_from_text("ssh-ed25519", key_a).value();
  vmterm::test::write_file(kh, known_hosts_line("10.0.0.5", 2222, key));
  CHECK(verify_host_key(host, kh, key, new_key_policy::refuse).has_value());
}

TEST_CASE("host key policy: unknown is refused, accepted with the flag, passed by a probe",
          "[ssh]") {
  vmterm::test::temp_dir dir{"vmterm-policy"};
  const auto kh = dir / "known_hosts";
  const auto key = host_key_from_text("ssh-ed25519", key_a).value();
  auto r = verify_host_key(host, kh, key, new_key_policy::refuse);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == make_error_code(errc::host_key_unknown));
  CHECK(r.error().message ==
        "ssh 'admin@10.0.0.5:2222': host key not known: the server's "
        "ssh-ed25519 key " +
            std::string(fp_a) + " is not in " + kh.string() +
            "; check the fingerprint (on EC2: the instance's system log) "
            "and trust it by accepting new host keys");
  // A tool gives its own words for the fix (its flag); the library knows none.
  CHECK(
      verify_host_key(host, kh, key, new_key_policy::refuse, "trust it with --accept-new-host-key")
          .error()
          .message.ends_with("(on EC2: the instance's system log) and trust it with "
                             "--accept-new-host-key"));
  CHECK(verify_host_key(host, kh, key, new_key_policy::accept_dry).has_value());
  CHECK_FALSE(std::filesystem::exists(kh));
  CHECK(verify_host_key(host, kh, key, new_key_policy::accept).has_value());
  CHECK(vmterm::test::read_file(kh) == "[10.0.0.5]:2222 ssh-ed25519 " + std::string(key_a) + "\n");
  CHECK(verify_host_key(host, kh, key, new_key_policy::refuse).has_value());
}

TEST_CASE("host key policy: changed and revoked keys are refused whatever the policy", "[ssh]") {
  vmterm::test::temp_dir dir{"vmterm-policy"};
  const auto kh = dir / "known_hosts";
  const auto key = host_key_from_text("ssh-ed25519", key_a).value();
  const auto old = host_key_from_text("ssh-ed25519", key_b).value();
  vmterm::test::write_file(kh, known_hosts_line("10.0.0.5", 2222, old));
  for (auto policy : {new_key_policy::refuse, new_key_policy::accept}) {
    auto r = verify_host_key(host, kh, key, policy);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == make_error_code(errc::host_key_changed));
    CHECK_THAT(r.error().message,
               Catch::StartsWith("ssh 'admin@10.0.0.5:2222': WARNING: REMOTE HOST "
                                 "IDENTIFICATION HAS CHANGED: the server sent the ssh-ed25519 "
                                 "key " +
                                 std::string(fp_a) + ", which does not match " + kh.string() +
                                 " line 1;"));
  }
  vmterm::test::write_file(kh, "@revoked * ssh-ed25519 " + std::string(key_a) + "\n");
  auto r = verify_host_key(host, kh, key, new_key_policy::accept);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == make_error_code(errc::host_key_revoked));
  CHECK(r.error().message == "ssh 'admin@10.0.0.5:2222': host key refused: the ssh-ed25519 key " +
                                 std::string(fp_a) + " is marked @revoked in " + kh.string() +
                                 " line 1");
  CHECK(vmterm::test::read_file(kh) == "@revoked * ssh-ed25519 " + std::string(key_a) + "\n");
}

TEST_CASE("failure reasons have short names for metrics and error.type", "[ssh]") {
  CHECK(reason_name(make_error_code(errc::dns)) == "dns");
  CHECK(reason_name(make_error_code(errc::host_key_changed)) == "host_key_changed");
  CHECK(reason_name(make_error_code(errc::connection_lost)) == "connection_lost");
  CHECK(reason_name(std::make_error_code(std::errc::io_error)) == "other");
  CHECK(std::string(ssh_category().name()) == "vmterm.ssh");
}

TEST_CASE("exit signals by RFC 4254 name map to their numbers", "[ssh]") {
  CHECK(signal_number("HUP") == 1);
  CHECK(signal_number("KILL") == 9);
  CHECK(signal_number("TERM") == 15);
  CHECK(signal_number("SIGTERM") == 0);
  CHECK(signal_number("") == 0);
}
