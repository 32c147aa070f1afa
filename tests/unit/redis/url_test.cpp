#include <catch2/catch.hpp>

#include "redis/url.hpp"

using vmterm::redis::parse_url;

namespace {
std::string error_of(std::string_view text) {
  auto u = parse_url(text);
  REQUIRE_FALSE(u.has_value());
  CHECK(u.error().code == std::errc::invalid_argument);
  return u.error().message;
}
}  // namespace

TEST_CASE("redis URL with host, port and db", "[redis][url]") {
  auto u = parse_url("redis://10.0.0.5:6380/3");
  REQUIRE(u);
  CHECK(u->host == "10.0.0.5");
  CHECK(u->port == 6380);
  CHECK(u->db == 3);
  CHECK(u->user.empty());
  CHECK(u->password.empty());
  CHECK(u->unix_path.empty());
  CHECK(u->redacted() == "redis://10.0.0.5:6380/3");
  CHECK(u->address() == "10.0.0.5:6380");
}

TEST_CASE("redis URL defaults: port 6379, db 0", "[redis][url]") {
  for (const auto* text : {"redis://localhost", "redis://localhost/", "redis://localhost:6379/0"}) {
    INFO(text);
    auto u = parse_url(text);
    REQUIRE(u);
    CHECK(u->host == "localhost");
    CHECK(u->port == 6379);
    CHECK(u->db == 0);
    CHECK(u->redacted() == "redis://localhost:6379/0");
  }
}

TEST_CASE("redis URL credentials: password alone, ACL user, percent-encoding", "[redis][url]") {
  auto a = parse_url("redis://:s3cret@127.0.0.1:7000/1");
  REQUIRE(a);
  CHECK(a->user.empty());
  CHECK(a->password == "s3cret");
  CHECK(a->redacted() == "redis://:***@127.0.0.1:7000/1");

  auto b = parse_url("redis://worker:p%40ss%3Aw0rd@h:1/0");
  REQUIRE(b);
  CHECK(b->user == "worker");
  CHECK(b->password == "p@ss:w0rd");
  CHECK(b->redacted() == "redis://worker:***@h:1/0");
}

TEST_CASE("redis URL IPv6 host", "[redis][url]") {
  auto u = parse_url("redis://[::1]:6390/2");
  REQUIRE(u);
  CHECK(u->host == "::1");
  CHECK(u->port == 6390);
  CHECK(u->address() == "[::1]:6390");
  CHECK(u->redacted() == "redis://[::1]:6390/2");
}

TEST_CASE("unix socket URLs", "[redis][url]") {
  auto u = parse_url("unix:///run/redis/redis.sock?db=4");
  REQUIRE(u);
  CHECK(u->unix_path == "/run/redis/redis.sock");
  CHECK(u->host.empty());
  CHECK(u->db == 4);
  CHECK(u->address() == "/run/redis/redis.sock");
  CHECK(u->redacted() == "unix:///run/redis/redis.sock?db=4");

  auto p = parse_url("unix://:pw@/tmp/r.sock");
  REQUIRE(p);
  CHECK(p->password == "pw");
  CHECK(p->unix_path == "/tmp/r.sock");
  CHECK(p->redacted() == "unix://:***@/tmp/r.sock");
}

TEST_CASE("bad redis URLs: exact messages, never the password", "[redis][url]") {
  CHECK(error_of("") == "redis URL '': the URL is empty; use redis://[user:password@]host:port/db");
  CHECK(error_of("redis://:hunter2@h:x/0") ==
        "redis URL 'redis://:***@h:x/0': port 'x' is not a number from 1 to 65535; use "
        "redis://[user:password@]host:port/db");
  CHECK(error_of("redis://h:70000") ==
        "redis URL 'redis://h:70000': port '70000' is not a number from 1 to 65535; use "
        "redis://[user:password@]host:port/db");
  CHECK(error_of("redis://u:hunter2@h:6379/abc") ==
        "redis URL 'redis://u:***@h:6379/abc': database 'abc' is not a number from 0 to "
        "2147483647; use redis://[user:password@]host:port/db");
  CHECK(error_of("http://h:6379") ==
        "redis URL 'http://h:6379': scheme 'http' is not supported; use "
        "redis://[user:password@]host:port/db or unix:///path/to/redis.sock");
  CHECK(error_of("rediss://:hunter2@h:6379") ==
        "redis URL 'rediss://:***@h:6379': TLS (rediss://) is not supported yet; use redis:// "
        "on a trusted network, or reach Redis through an SSH tunnel");
  CHECK(error_of("redis://hunter2@h:6379") ==
        "redis URL 'redis://***@h:6379': user info without a password (AUTH needs one); write "
        "redis://:password@host for a password alone or redis://user:password@host; use "
        "redis://[user:password@]host:port/db");
  CHECK(error_of("redis:///0") ==
        "redis URL 'redis:///0': no host; use redis://[user:password@]host:port/db");
  CHECK(error_of("unix://") ==
        "redis URL 'unix://': no socket path; use unix:///path/to/redis.sock[?db=N]");
  CHECK(error_of("unix:///tmp/r.sock?db=x") ==
        "redis URL 'unix:///tmp/r.sock?db=x': database 'x' is not a number from 0 to "
        "2147483647; use unix:///path/to/redis.sock[?db=N]");
  CHECK(error_of("unix:///tmp/r.sock?timeout=3") ==
        "redis URL 'unix:///tmp/r.sock?timeout=3': unknown parameter 'timeout' (only db is "
        "known); use unix:///path/to/redis.sock[?db=N]");
  CHECK(error_of("redis://h/0?db=1") ==
        "redis URL 'redis://h/0?db=1': query parameters are not supported (give the db in the "
        "path); use redis://[user:password@]host:port/db");
}

TEST_CASE("no message about a bad redis URL shows the password", "[redis][url]") {
  for (const auto* text :
       {"redis://:topsecret@h:bad/0", "redis://u:topsecret@h/x", "rediss://u:topsecret@h",
        "redis://topsecret@h", "redis://:topsecret@h/0?x=1", "unix://:topsecret@/s?db=z"}) {
    INFO(text);
    auto u = parse_url(text);
    REQUIRE_FALSE(u);
    CHECK(u.error().message.find("topsecret") == std::string::npos);
  }
}
