#include <sys/stat.h>

#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "ssh/known_hosts.hpp"
#include "ssh_harness.hpp"
#include "temp_dir.hpp"

using namespace vmterm;
using namespace vmterm::test;

namespace {
// Not the fixture's host key: the "changed" case.
constexpr std::string_view other_key =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9tKh+JJj+qYq7GeA2pY8/A6wpQh+DkVZqSgwip6MNq";

std::string prefix(const sshd_server& sshd) {
  return "ssh '" + sshd.user() + "@127.0.0.1:" + std::to_string(sshd.port()) + "': ";
}

void keygen(const std::filesystem::path& file, const std::string& passphrase) {
  const auto r =
      run({"ssh-keygen", "-q", "-t", "ed25519", "-N", passphrase, "-C", "t", "-f", file.string()});
  REQUIRE(r.exit_code == 0);
}

/// Runs a session to its end; returns the harness for its code and reason.
std::unique_ptr<ssh_harness> run_session(ssh::ssh_options o) {
  if (o.command.empty()) o.command = "echo ok-$((40+2))";
  auto h = std::make_unique<ssh_harness>(std::move(o));
  h->start();
  REQUIRE(h->wait_exit(std::chrono::seconds(20)));
  return h;
}
}  // namespace

TEST_CASE("an unknown host key is refused with its fingerprint and the flag that trusts it",
          "[integration][ssh]") {
  sshd_server sshd;
  temp_dir dir{"vmterm-ssh"};
  auto o = ssh_options_for(sshd);
  o.known_hosts = dir / "known_hosts";
  write_file(o.known_hosts, "# nothing yet\n");
  auto h = run_session(o);
  CHECK(h->code == -1);
  CHECK_FALSE(h->ready);
  CHECK(h->reason == prefix(sshd) + "host key not known: the server's ssh-ed25519 key " +
                         sshd.host_key_fingerprint() + " is not in " + o.known_hosts.string() +
                         "; check the fingerprint (on EC2: the instance's system log) and trust "
                         "it by accepting new host keys");
  CHECK(read_file(o.known_hosts) == "# nothing yet\n");
}

TEST_CASE("accept-new-host-key appends the key, and the next session needs no flag",
          "[integration][ssh]") {
  sshd_server sshd;
  temp_dir dir{"vmterm-ssh"};
  auto o = ssh_options_for(sshd);
  o.known_hosts = dir / "dot-ssh" / "known_hosts";  // neither exists yet
  o.accept_new_host_key = true;
  auto h = run_session(o);
  INFO("reason: " << h->reason);
  CHECK(h->code == 0);
  CHECK_THAT(h->out, Catch::Contains("ok-42"));
  CHECK(read_file(o.known_hosts) == read_file(sshd.known_hosts_file()));
  o.accept_new_host_key = false;
  auto again = run_session(o);
  CHECK(again->code == 0);
  CHECK(read_file(o.known_hosts) == read_file(sshd.known_hosts_file()));
}

TEST_CASE("a changed host key is refused loudly, even with accept-new-host-key",
          "[integration][ssh]") {
  sshd_server sshd;
  temp_dir dir{"vmterm-ssh"};
  auto o = ssh_options_for(sshd);
  o.known_hosts = dir / "known_hosts";
  const std::string line =
      "[127.0.0.1]:" + std::to_string(sshd.port()) + " " + std::string(other_key) + "\n";
  write_file(o.known_hosts, line);
  o.accept_new_host_key = true;
  auto h = run_session(o);
  CHECK(h->code == -1);
  CHECK(h->reason ==
        prefix(sshd) + "WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED: the server sent the " +
            "ssh-ed25519 key " + sshd.host_key_fingerprint() + ", which does not match " +
            o.known_hosts.string() +
            " line 1; someone may be intercepting the connection (or the host was rebuilt). "
            "Connection refused; if you know why the key changed, remove that line "
            "(ssh-keygen -R '[127.0.0.1]:" +
            std::to_string(sshd.port()) + "' -f " + o.known_hosts.string() + ")");
  CHECK(read_file(o.known_hosts) == line);
}

TEST_CASE("a key the server does not accept is refused with a clear reason", "[integration][ssh]") {
  sshd_server sshd;
  temp_dir dir{"vmterm-ssh"};
  auto o = ssh_options_for(sshd);
  o.identity = dir / "wrong_key";
  keygen(o.identity, "");
  auto h = run_session(o);
  CHECK(h->code == -1);
  CHECK(h->reason == prefix(sshd) + "authentication failed: the server refused the key in '" +
                         o.identity.string() + "' for user '" + sshd.user() +
                         "'; check the user name (EC2: ec2-user on Amazon Linux, ubuntu on "
                         "Ubuntu, admin on Debian) and the key");
}

TEST_CASE("a key file others can read is refused with the chmod that fixes it",
          "[integration][ssh]") {
  sshd_server sshd;
  auto o = ssh_options_for(sshd);
  REQUIRE(::chmod(o.identity.c_str(), 0644) == 0);
  auto h = run_session(o);
  CHECK(h->code == -1);
  CHECK(h->reason == prefix(sshd) + "identity file '" + o.identity.string() +
                         "': permissions 0644 are too open (group or others can read it); run "
                         "chmod 600 " +
                         o.identity.string());
}

TEST_CASE("an encrypted key works with its passphrase file and fails clearly without it",
          "[integration][ssh]") {
  sshd_server sshd;
  temp_dir dir{"vmterm-ssh"};
  const auto key = dir / "enc_key";
  keygen(key, "correct horse");
  write_file(sshd.dir() / "authorized_keys", read_file(key.string() + ".pub"));
  write_file(dir / "pass", "correct horse\n");
  auto o = ssh_options_for(sshd);
  o.identity = key;
  o.passphrase_file = dir / "pass";
  auto ok = run_session(o);
  INFO("reason: " << ok->reason);
  CHECK(ok->code == 0);
  CHECK_THAT(ok->out, Catch::Contains("ok-42"));

  o.passphrase_file.clear();
  auto without = run_session(o);
  CHECK(without->code == -1);
  CHECK_THAT(
      without->reason,
      Catch::StartsWith(prefix(sshd) + "cannot load the key in identity file '" + key.string() +
                        "' (if it is encrypted, give the file with its passphrase)"));
  write_file(dir / "pass", "wrong\n");
  o.passphrase_file = dir / "pass";
  auto wrong = run_session(o);
  CHECK(wrong->code == -1);
  CHECK_THAT(wrong->reason, Catch::StartsWith(prefix(sshd) +
                                              "cannot load the key in identity "
                                              "file '" +
                                              key.string() + "' (is the passphrase right?)"));
  CHECK_THAT(wrong->reason, !Catch::Contains("wrong"));  // never the passphrase itself
}

TEST_CASE("a refused TCP connection ends the session with the port in the reason",
          "[integration][ssh]") {
  sshd_server sshd;
  auto o = ssh_options_for(sshd);
  sshd.stop();
  auto h = run_session(o);
  CHECK(h->code == -1);
  CHECK_THAT(h->reason, Catch::StartsWith(prefix(sshd) + "cannot connect to port " +
                                          std::to_string(sshd.port()) + ": Connection refused"));
}

TEST_CASE("an unresolvable host ends the session naming the host", "[integration][ssh]") {
  ssh::ssh_options o;
  o.target = {"u", "no-such-host.invalid", 22};
  o.identity = "/nonexistent";
  o.timeout = std::chrono::seconds(10);
  auto h = run_session(o);
  CHECK(h->code == -1);
  CHECK_THAT(h->reason, Catch::StartsWith("ssh 'u@no-such-host.invalid': cannot resolve host "
                                          "'no-such-host.invalid': "));
}

TEST_CASE("a server that never speaks SSH times out, naming the fix in the tool's words",
          "[integration][ssh]") {
  boost::asio::io_context server_ioc;
  boost::asio::ip::tcp::acceptor acceptor(
      server_ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});  // listens, never accepts
  const auto port = acceptor.local_endpoint().port();
  ssh::ssh_options o;
  o.target = {"u", "127.0.0.1", port};
  o.identity = "/nonexistent";
  o.timeout = std::chrono::milliseconds(300);
  o.advice.timeout = "raise --ssh-timeout";  // as vmterm-serve words it
  const auto t0 = std::chrono::steady_clock::now();
  auto h = run_session(o);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
  CHECK(h->code == -1);
  CHECK(h->reason == "ssh 'u@127.0.0.1:" + std::to_string(port) +
                         "': timed out after 300 ms while in the SSH handshake; check that the "
                         "host is up, that its firewall (EC2: security group) lets port " +
                         std::to_string(port) + " in from here, or raise --ssh-timeout");
}

TEST_CASE("without an identity file and without an agent the reason says what to give",
          "[integration][ssh]") {
  sshd_server sshd;
  auto o = ssh_options_for(sshd);
  o.identity.clear();
  o.agent_socket.clear();
  const char* saved = std::getenv("SSH_AUTH_SOCK");
  const std::string saved_value = saved != nullptr ? saved : "";
  ::unsetenv("SSH_AUTH_SOCK");
  auto h = run_session(o);
  if (saved != nullptr) ::setenv("SSH_AUTH_SOCK", saved_value.c_str(), 1);
  CHECK(h->code == -1);
  CHECK(h->reason == prefix(sshd) +
                         "no key to log in with: give an identity file, or run ssh-agent with the "
                         "key added (SSH_AUTH_SOCK is not set)");
}

TEST_CASE("keys from ssh-agent log in when no identity file is given", "[integration][ssh]") {
  sshd_server sshd;
  temp_dir dir{"vmterm-agent"};
  const auto sock = dir / "agent.sock";
  child_process agent({{"ssh-agent", "-D", "-a", sock.string()}});
  for (int i = 0; i < 200 && !std::filesystem::exists(sock); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  run_options ro;
  ro.env["SSH_AUTH_SOCK"] = sock.string();
  REQUIRE(run({"ssh-add", sshd.identity_file().string()}, ro).exit_code == 0);
  auto o = ssh_options_for(sshd);
  o.identity.clear();
  o.agent_socket = sock.string();
  auto h = run_session(o);
  INFO("reason: " << h->reason);
  CHECK(h->code == 0);
  CHECK_THAT(h->out, Catch::Contains("ok-42"));

  REQUIRE(run({"ssh-add", "-D"}, ro).exit_code == 0);  // an empty agent: refused
  auto none = run_session(o);
  CHECK(none->code == -1);
  CHECK_THAT(none->reason,
             Catch::StartsWith(prefix(sshd) + "authentication failed: ssh-agent offered 0 key(s)"));
}
