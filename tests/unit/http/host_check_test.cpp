// The Host allow-list against DNS rebinding: which Host values a server answers to.
#include "http/host_check.hpp"

#include <catch2/catch.hpp>

using namespace vmterm::http;

TEST_CASE("a loopback server answers to its address, localhost, 127.0.0.1 and ::1, any port",
          "[http][host]") {
  const host_allow_list hosts(endpoint{"127.0.0.1", 8000}, {});
  for (const char* ok : {"127.0.0.1:8000", "localhost:8000", "LOCALHOST:8000", "[::1]:8000",
                         "localhost", "localhost:9000", "127.0.0.1"}) {
    INFO(ok);
    CHECK(hosts.allows(ok));
  }
  for (const char* no :
       {"attacker.example:8000", "attacker.example", "127.0.0.2:8000", "localhost.attacker.example",
        "", "localhost:80x", "[::1", "a b:8000", "localhost:8000:1"}) {
    INFO(no);
    CHECK_FALSE(hosts.allows(no));
  }
}

TEST_CASE("a wildcard server answers to any IP literal and localhost; names need --allow-host",
          "[http][host]") {
  const host_allow_list hosts(endpoint{"0.0.0.0", 8000}, {"vmterm.example"});
  CHECK(hosts.allows("10.1.2.3:8000"));
  CHECK(hosts.allows("[fe80::1]:8000"));
  CHECK(hosts.allows("localhost:8000"));
  CHECK(hosts.allows("vmterm.example"));
  CHECK_FALSE(hosts.allows("ec2-1-2-3-4.compute.amazonaws.com:8000"));
  CHECK(host_allow_list(endpoint{"10.0.0.5", 80}, {"*"}).allows("anything.example"));
  CHECK(host_allow_list().allows("anything.example"));
}

TEST_CASE("names given to --allow-host are checked and normalised", "[http][host]") {
  CHECK(normalize_host_name("Vmterm.Example") == "vmterm.example");
  CHECK(normalize_host_name("[::1]") == "::1");
  CHECK(normalize_host_name("::1") == "::1");
  CHECK(normalize_host_name("*") == "*");
  CHECK(normalize_host_name("example.com:8443").error().message ==
        "'example.com:8443' has a port; give the name only (any port is accepted)");
  CHECK(normalize_host_name("[::1]:80").error().message ==
        "'[::1]:80' has a port; give the name only (any port is accepted)");
  CHECK(normalize_host_name("a b").error().message ==
        "'a b' is not a host name; use a name such as vmterm.example.com, an IP address, or *");
}

TEST_CASE("the refusals name the host and the fix", "[http][host]") {
  CHECK(forbidden_host_message("attacker.example:8000") ==
        "403 Forbidden: Host 'attacker.example:8000' is not a name of this server (a page of "
        "another site can send it after a DNS rebinding); to reach the server by that name, "
        "add it to the server's host names: attacker.example\n");
  // A tool names its own flag; the library knows none.
  CHECK(forbidden_host_message("[::1]:8000", "start it with --allow-host") ==
        "403 Forbidden: Host '[::1]:8000' is not a name of this server (a page of another site "
        "can send it after a DNS rebinding); to reach the server by that name, start it with "
        "--allow-host [::1]\n");
  CHECK(bad_host_count_message(0) == "400 Bad Request: an HTTP/1.1 request needs a Host header\n");
  CHECK(bad_host_count_message(2) ==
        "400 Bad Request: the request has 2 Host headers; send exactly one\n");
}
