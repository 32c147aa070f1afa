// vmterm-health --ssh against the real sshd fixture: a known host key is OK, an unknown one
// UNKNOWN with the presented fingerprint, a changed one CRITICAL; refused is CRITICAL; the
// probe leaves no connection error in sshd's log.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ports.hpp"
#include "silent_listener.hpp"
#include "sshd_server.hpp"
#include "temp_dir.hpp"

using namespace vmterm::test;

namespace {
std::string target_of(const sshd_server& sshd) {
  return "127.0.0.1:" + std::to_string(sshd.port());
}
}  // namespace

TEST_CASE("a known SSH host key is OK and the disconnect is clean", "[health][ssh]") {
  sshd_server sshd;
  auto r = health(
      {"--nagios", "--ssh", target_of(sshd), "--known-hosts", sshd.known_hosts_file().string()});
  INFO(r.out << r.err << sshd.log());
  CHECK(r.exit_code == 0);
  CHECK(first_line(r.out).starts_with("HEALTH OK - 1 of 1 check ok | 'ssh_time'="));
  CHECK(r.out.find("\nssh OK - " + target_of(sshd) + ": host key known, in ") != std::string::npos);
  // A clean SSH_MSG_DISCONNECT, not a dropped connection; the one kex_exchange_identification
  // line sshd may log is the fixture's own banner check before the probe.
  REQUIRE(wait_until(
      [&] { return sshd.log().find("closed by vmterm [preauth]") != std::string::npos; }, 2s));
  const auto log = sshd.log();
  std::size_t kex = 0;
  for (auto at = log.find("kex_exchange_identification"); at != std::string::npos;
       at = log.find("kex_exchange_identification", at + 1)) {
    ++kex;
  }
  CHECK(kex <= 1);
}

TEST_CASE("an unknown SSH host key is UNKNOWN naming the presented fingerprint", "[health][ssh]") {
  sshd_server sshd;
  temp_dir dir{"vmterm-health-ssh"};
  write_file(dir / "known_hosts", "");
  auto r =
      health({"--json", "--ssh", target_of(sshd), "--known-hosts", (dir / "known_hosts").string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["state"] == "UNKNOWN");
  CHECK(doc["checks"][0]["error_type"] == "hostkey_unknown");
  CHECK(doc["checks"][0]["output"].get<std::string>().find(sshd.host_key_fingerprint()) !=
        std::string::npos);
}

TEST_CASE("a changed SSH host key is CRITICAL naming the presented and expected fingerprints",
          "[health][ssh]") {
  sshd_server sshd;
  temp_dir dir{"vmterm-health-ssh"};
  auto keygen =
      run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", (dir / "other").string()});
  REQUIRE(keygen.exit_code == 0);
  auto other = read_file(dir / "other.pub");
  other = other.substr(0, other.find(' ', other.find(' ') + 1));
  write_file(dir / "known_hosts",
             "[127.0.0.1]:" + std::to_string(sshd.port()) + " " + other + "\n");
  auto r = health(
      {"--nagios", "--ssh", target_of(sshd), "--known-hosts", (dir / "known_hosts").string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(first_line(r.out).starts_with("HEALTH CRITICAL - ssh " + target_of(sshd) +
                                      ": host key changed: ssh-ed25519 key SHA256:"));
  CHECK(first_line(r.out).find(sshd.host_key_fingerprint()) != std::string::npos);
  auto j =
      health({"--json", "--ssh", target_of(sshd), "--known-hosts", (dir / "known_hosts").string()});
  const auto check = nlohmann::json::parse(j.out)["checks"][0];
  CHECK(check["error_type"] == "hostkey_mismatch");
  auto expected = run({"ssh-keygen", "-l", "-E", "sha256", "-f", (dir / "other.pub").string()});
  REQUIRE(expected.exit_code == 0);
  const auto expected_fp = expected.out.substr(expected.out.find("SHA256:"), 50);
  CHECK(check["output"] == "host key changed: ssh-ed25519 key " + sshd.host_key_fingerprint() +
                               ", expected " + expected_fp + " (" + (dir / "known_hosts").string() +
                               " line 1)");
}

TEST_CASE("a refused SSH port is CRITICAL", "[health][ssh]") {
  const auto target = "127.0.0.1:" + std::to_string(free_loopback_port());
  auto r = health({"--json", "--ssh", target, "--known-hosts", "/dev/null"});
  CHECK(r.exit_code == 2);
  CHECK(nlohmann::json::parse(r.out)["checks"][0]["error_type"] == "refused");
}

TEST_CASE("IPv4 or IPv6 only holds for SSH: a host is reached over that family only",
          "[health][ssh]") {
  sshd_server sshd;
  const auto known = sshd.known_hosts_file().string();
  auto v4 = health({"--nagios", "-4", "--ssh", target_of(sshd), "--known-hosts", known});
  INFO(v4.out << v4.err);
  CHECK(v4.exit_code == 0);
  auto v6 = health({"--json", "-6", "--ssh", target_of(sshd), "--known-hosts", known});
  INFO(v6.out << v6.err);
  CHECK(v6.exit_code == 2);
  const auto check = nlohmann::json::parse(v6.out)["checks"][0];
  CHECK(check["error_type"] == "dns");
  CHECK_THAT(check["output"].get<std::string>(),
             Catch::StartsWith("cannot resolve host '127.0.0.1'"));
}
