#include "ssh/known_hosts.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "process.hpp"
#include "temp_dir.hpp"

using namespace vmterm::ssh;

namespace {
constexpr std::string_view key_a =
    "AAAAC3NzaC1lZDI1NTE5AAAAIG9tKh+JJj+qYq7GeA2pY8/A6wpQh+DkVZqSgwip6MNq";
constexpr std::string_view key_b =
    "AAAAC3NzaC1lZDI1NTE5AAAAIL42vOx9VTfW+HP/agvPUHNGxeEIneHCQ4k48dQh3Pf2";

host_key key(std::string_view b64) { return host_key_from_text("ssh-ed25519", b64).value(); }

std::string line(std::string_view hosts, std::string_view b64,
                 std::string_view type = "ssh-ed25519") {
  return std::string(hosts) + " " + std::string(type) + " " + std::string(b64) + "\n";
}

host_key_status status(const std::string& content, std::string_view host, std::uint16_t port,
                       std::string_view b64) {
  return check_known_hosts(content, host, port, key(b64)).status;
}
}  // namespace

TEST_CASE("a plain entry makes its host known, and another key of its type changed", "[ssh]") {
  const auto kh = "# comment\n\n" + line("example.com", key_a);
  CHECK(check_known_hosts(kh, "example.com", 22, key(key_a)).status == host_key_status::known);
  CHECK(check_known_hosts(kh, "example.com", 22, key(key_a)).line == 3);
  CHECK(status(kh, "EXAMPLE.com", 22, key_a) == host_key_status::known);
  CHECK(status(kh, "example.com", 22, key_b) == host_key_status::changed);
  CHECK(status(kh, "other.com", 22, key_a) == host_key_status::unknown);
  CHECK(status("", "example.com", 22, key_a) == host_key_status::unknown);
}

TEST_CASE("the key a changed lookup names is read from its line, for its fingerprint", "[ssh]") {
  const auto kh = "# comment\n" + line("example.com", key_a) + "@revoked other.com ssh-ed25519 " +
                  std::string(key_b) + "\nbroken-line\n";
  const auto found = check_known_hosts(kh, "example.com", 22, key(key_b));
  REQUIRE(found.status == host_key_status::changed);
  CHECK(key_at_line(kh, found.line) == key(key_a));
  CHECK(fingerprint_sha256(key_at_line(kh, 2)->blob) == fingerprint_sha256(key(key_a).blob));
  CHECK(key_at_line(kh, 3) == key(key_b));  // the marker is skipped
  CHECK_FALSE(key_at_line(kh, 1));          // a comment
  CHECK_FALSE(key_at_line(kh, 4));          // not a key line
  CHECK_FALSE(key_at_line(kh, 9));          // past the end
}

TEST_CASE("ports other than 22 are looked up as [host]:port", "[ssh]") {
  const auto kh = line("[127.0.0.1]:2222", key_a);
  CHECK(status(kh, "127.0.0.1", 2222, key_a) == host_key_status::known);
  CHECK(status(kh, "127.0.0.1", 22, key_a) == host_key_status::unknown);
  CHECK(status(kh, "127.0.0.1", 2223, key_a) == host_key_status::unknown);
  CHECK(status(line("127.0.0.1", key_a), "127.0.0.1", 2222, key_a) == host_key_status::unknown);
}

TEST_CASE("hashed entries made by ssh-keygen -H match their host by HMAC-SHA1", "[ssh]") {
  // `ssh-keygen -H` of "example.com KEY" and "[10.0.0.5]:2222 KEY".
  const auto kh = line("|1|fjiwe2DAqg8Qi0ck/+tfDcviMZY=|ZyQwJBO5h8uCGsijXIXVDFJCk0Q=", key_a) +
                  line("|1|3yvtNggNjxaChgLKu6qAibuW9Jk=|deD7cp2TBbZOR0yXK+cIUIWJq7U=", key_a);
  CHECK(status(kh, "example.com", 22, key_a) == host_key_status::known);
  CHECK(status(kh, "10.0.0.5", 2222, key_a) == host_key_status::known);
  CHECK(status(kh, "10.0.0.5", 22, key_a) == host_key_status::unknown);
  CHECK(status(kh, "example.org", 22, key_a) == host_key_status::unknown);
  CHECK(status(kh, "example.com", 22, key_b) == host_key_status::changed);
  CHECK(status(line("|1|bad|entry", key_a), "example.com", 22, key_a) == host_key_status::unknown);
}

TEST_CASE("comma lists, wildcards and negations select hosts as OpenSSH does", "[ssh]") {
  const auto kh = line("web1,web2.example.com,10.0.0.9", key_a);
  CHECK(status(kh, "web2.example.com", 22, key_a) == host_key_status::known);
  CHECK(status(kh, "10.0.0.9", 22, key_a) == host_key_status::known);
  CHECK(status(kh, "web3", 22, key_a) == host_key_status::unknown);
  const auto wild = line("*.example.com,!bad.example.com,db?", key_a);
  CHECK(status(wild, "a.example.com", 22, key_a) == host_key_status::known);
  CHECK(status(wild, "bad.example.com", 22, key_a) == host_key_status::unknown);
  CHECK(status(wild, "db1", 22, key_a) == host_key_status::known);
  CHECK(status(wild, "db10", 22, key_a) == host_key_status::unknown);
}

TEST_CASE("a key of another type is unknown, not changed", "[ssh]") {
  const auto kh = line("example.com", "AAAAB3NzaC1yc2EAAAADAQABAAAAgQC", "ssh-rsa");
  CHECK(status(kh, "example.com", 22, key_a) == host_key_status::unknown);
}

TEST_CASE("a matching entry anywhere wins over a stale one of the same type", "[ssh]") {
  const auto kh = line("example.com", key_b) + line("example.com", key_a);
  CHECK(check_known_hosts(kh, "example.com", 22, key(key_a)).status == host_key_status::known);
  CHECK(check_known_hosts(kh, "example.com", 22, key(key_a)).line == 2);
}

TEST_CASE("@revoked keys are refused and @cert-authority lines are skipped", "[ssh]") {
  const auto kh = line("example.com", key_a) + "@revoked " + line("*", key_a);
  CHECK(check_known_hosts(kh, "example.com", 22, key(key_a)).status == host_key_status::revoked);
  CHECK(check_known_hosts(kh, "example.com", 22, key(key_a)).line == 2);
  CHECK(status("@revoked " + line("*", key_b), "example.com", 22, key_a) ==
        host_key_status::unknown);
  CHECK(status("@cert-authority " + line("*.example.com", key_a), "a.example.com", 22, key_a) ==
        host_key_status::unknown);
}

TEST_CASE("malformed lines and CRLF line ends do not break the lookup", "[ssh]") {
  const std::string kh = "garbage\nexample.com ssh-ed25519\n\t \nexample.com ssh-ed25519 " +
                         std::string(key_a) + " comment words\r\n";
  CHECK(status(kh, "example.com", 22, key_a) == host_key_status::known);
}

TEST_CASE("the line to trust a new key is what OpenSSH would read back", "[ssh]") {
  CHECK(known_hosts_line("127.0.0.1", 2222, key(key_a)) ==
        "[127.0.0.1]:2222 ssh-ed25519 " + std::string(key_a) + "\n");
  CHECK(known_hosts_line("Example.COM", 22, key(key_a)) ==
        "example.com ssh-ed25519 " + std::string(key_a) + "\n");
  CHECK(status(known_hosts_line("h", 2022, key(key_a)), "h", 2022, key_a) ==
        host_key_status::known);
}

TEST_CASE("appending a host creates the file 0600 and keeps earlier lines whole", "[ssh]") {
  vmterm::test::temp_dir dir{"vmterm-kh"};
  const auto file = dir.path() / "ssh" / "known_hosts";
  CHECK(read_known_hosts(file).value().empty());
  REQUIRE(append_known_host(file, "a ssh-ed25519 AAAA\n").has_value());
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  vmterm::test::write_file(file, "x ssh-ed25519 BBBB");  // no final newline
  REQUIRE(append_known_host(file, "a ssh-ed25519 AAAA\n").has_value());
  CHECK(read_known_hosts(file).value() == "x ssh-ed25519 BBBB\na ssh-ed25519 AAAA\n");
}

TEST_CASE("an unreadable known_hosts is an error naming the file", "[ssh]") {
  vmterm::test::temp_dir dir{"vmterm-kh"};
  const auto r = read_known_hosts(dir.path());  // a directory
  if (r) {
    CHECK(r.value().empty());  // some libstdc++ versions open directories; nothing to match
  } else {
    CHECK_THAT(r.error().message, Catch::StartsWith("read known_hosts '" + dir.path().string()));
  }
  const auto a = append_known_host(dir.path() / "no" / "such" / "known_hosts", "x\n");
  REQUIRE_FALSE(a.has_value());
  CHECK_THAT(a.error().message, Catch::Contains("No such file or directory"));
}
