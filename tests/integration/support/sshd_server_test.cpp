#include "sshd_server.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

#include "ports.hpp"

using namespace vmterm::test;

TEST_CASE("an ssh login with the generated key runs a command and returns its output",
          "[integration][ssh]") {
  sshd_server sshd;
  const auto r = sshd.ssh("echo vmterm-$((6*7)); id -un");
  INFO("ssh stderr: " << r.err << "\nsshd log:\n" << sshd.log());
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "vmterm-42\n" + sshd.user() + "\n");
}

TEST_CASE("the remote command's exit status comes back through ssh", "[integration][ssh]") {
  sshd_server sshd;
  CHECK(sshd.ssh("exit 3").exit_code == 3);
}

TEST_CASE("the fixture's files are what a client needs to verify the host", "[integration][ssh]") {
  sshd_server sshd;
  CHECK(std::filesystem::exists(sshd.identity_file()));
  const auto perms = std::filesystem::status(sshd.identity_file()).permissions();
  CHECK((perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) ==
        std::filesystem::perms::none);
  CHECK(sshd.host_public_key().rfind("ssh-ed25519 AAAA", 0) == 0);
  CHECK(sshd.host_key_fingerprint().rfind("SHA256:", 0) == 0);
  CHECK(sshd.host_key_fingerprint().size() == 7 + 43);
  CHECK(read_file(sshd.known_hosts_file()) ==
        "[127.0.0.1]:" + std::to_string(sshd.port()) + " " + sshd.host_public_key() + "\n");
}

TEST_CASE("a client with a wrong host key is refused: the host key is really checked",
          "[integration][ssh]") {
  sshd_server sshd;
  sshd_server other;
  // Put the other server's key in this server's known_hosts: strict checking must refuse.
  write_file(sshd.known_hosts_file(),
             "[127.0.0.1]:" + std::to_string(sshd.port()) + " " + other.host_public_key() + "\n");
  const auto r = sshd.ssh("echo should-not-run");
  CHECK(r.exit_code == 255);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::Contains("HOST IDENTIFICATION HAS CHANGED"));
}

TEST_CASE("two sshd fixtures in parallel get different ports and both serve logins",
          "[integration][ssh]") {
  sshd_server a;
  sshd_server b;
  CHECK(a.port() != b.port());
  CHECK(a.host_public_key() != b.host_public_key());
  CHECK(a.ssh("echo a").out == "a\n");
  CHECK(b.ssh("echo b").out == "b\n");
}

TEST_CASE("a stopped sshd fixture refuses connections", "[integration][ssh]") {
  sshd_server sshd;
  const auto port = sshd.port();
  sshd.stop();
  CHECK_FALSE(sshd.running());
  CHECK_FALSE(tcp_exchange(port, "", 8, std::chrono::milliseconds(200)).has_value());
}
