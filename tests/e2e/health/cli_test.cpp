// vmterm-health's usage errors the plugin way: exit 3, first stdout line "UNKNOWN - <reason>",
// the reason and a usage hint on stderr; --help and --version exit 0.
#include <catch2/catch.hpp>

#include "silent_listener.hpp"

using namespace vmterm::test;

namespace {
void check_usage(const std::vector<std::string>& args, const std::string& line) {
  auto r = health(args);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK(first_line(r.out) == line);
  CHECK(r.out == line + "\n");
  CHECK(r.err.starts_with("vmterm-health: " + line.substr(10) + "\nusage: vmterm-health "));
}
const std::string hint =
    "; use seconds like 0.5, or a range like 10:20, ~:2s, 100ms: or @1:2 (units ms or s)";
}  // namespace

TEST_CASE("usage errors exit 3 with an UNKNOWN first line naming the bad value", "[health][cli]") {
  check_usage({"--http", "http://127.0.0.1:1/", "-w", "abc"},
              "UNKNOWN - --warning: 'abc' is not a number" + hint);
  check_usage({"--http", "http://127.0.0.1:1/", "--critical", "20:10"},
              "UNKNOWN - --critical: in '20:10' the start 20s is above the end 10s" + hint);
  check_usage({},
              "UNKNOWN - no probe given; add --http URL, --redis URL, --ssh HOST or --task NAME");
  check_usage({"--bogus"}, "UNKNOWN - unknown flag '--bogus'; see vmterm-health --help");
  check_usage({"--redis", "redis://127.0.0.1:1", "--timeout-state", "maybe"},
              "UNKNOWN - --timeout-state 'maybe': not a state; use ok, warning, critical or "
              "unknown");
  check_usage({"--http", "ftp://h/"},
              "UNKNOWN - --http: parse URL 'ftp://h/': scheme 'ftp' is not supported; use http:// "
              "or https://");
  check_usage({"--http", "http://h/", "--expect-status", "2xx,abc"},
              "UNKNOWN - --expect-status '2xx,abc': 'abc' is not an HTTP status; use codes and "
              "classes like 200,204,3xx");
  check_usage({"--http", "http://h/", "--expect-json", "status=ok"},
              "UNKNOWN - --expect-json 'status=ok': the path must start with '.'; use e.g. "
              ".status=ok");
  check_usage({"--http", "http://h/", "--nagios", "--json"},
              "UNKNOWN - --nagios and --json cannot be combined; choose one");
  check_usage({"--http", "http://h/", "--header", "nocolon"},
              "UNKNOWN - --header 'nocolon': not 'NAME: VALUE'; use e.g. --header 'Accept: "
              "application/json'");
}

TEST_CASE("bad --task settings are usage errors naming the value", "[health][cli][task]") {
  check_usage({"--task", "noop", "--queue", ""},
              "UNKNOWN - --queue: an empty queue name; give e.g. celery");
  check_usage({"--task", "noop", "--task-timeout", "0"},
              "UNKNOWN - --task-timeout '0': must be at least 1ms");
  check_usage({"--task", "noop", "--broker", "http://127.0.0.1:6379/0"},
              "UNKNOWN - --broker: redis URL 'http://127.0.0.1:6379/0': scheme 'http' is not "
              "supported; use redis://[user:password@]host:port/db or unix:///path/to/redis.sock");
  auto env = health({"--task", "noop"}, {{"CELERY_BROKER_URL", "nope"}});
  CHECK(env.exit_code == 3);
  CHECK(first_line(env.out) ==
        "UNKNOWN - --broker: redis URL 'nope': not a URL (need more); use "
        "redis://[user:password@]host:port/db");
}

TEST_CASE("bad retry, proxy, ping and TLS settings are usage errors naming the value",
          "[health][cli]") {
  const std::string h = "http://h/";
  check_usage({"--http", h, "-4", "-6"}, "UNKNOWN - -4 and -6 cannot be combined; choose one");
  check_usage({"--http", h, "--retries", "-1"}, "UNKNOWN - --retries '-1': must be from 0 to 100");
  check_usage({"--http", h, "--retries", "x"}, "UNKNOWN - --retries: 'x' is not a whole number");
  check_usage({"--http", h, "--proxy", "https://p:3128"},
              "UNKNOWN - --proxy 'https://p:3128': an https:// proxy is not supported; give "
              "http://HOST:PORT");
  check_usage({"--http", h, "--ping-url", "hc-ping"},
              "UNKNOWN - --ping-url: parse URL 'hc-ping': not an absolute URL (need more); use "
              "http://host:port/path");
  check_usage({"--http", h, "--cert-days", "7"},
              "UNKNOWN - --cert-days '7': not two numbers; give WARN,CRIT in days, e.g. 30,14");
  check_usage({"--http", h, "--cert-days", "7,14"},
              "UNKNOWN - --cert-days '7,14': WARN is below CRIT; give WARN,CRIT in days, e.g. "
              "30,14");
  check_usage({"--http", h, "--key", "/k.pem"}, "UNKNOWN - --key '/k.pem' needs --cert too");
  check_usage({"--http", h, "--basic-auth", "only-a-password"},
              "UNKNOWN - --basic-auth: not USER:PASSWORD; give e.g. monitor:PASSWORD (or set "
              "VMTERM_HEALTH_BASIC_AUTH)");
  check_usage({"--http", h, "--basic-auth", "u:p", "--header", "authorization: Bearer x"},
              "UNKNOWN - --basic-auth and --header 'Authorization: ...' cannot be combined; "
              "choose one");
  check_usage({"--http", h, "--invert-regex"},
              "UNKNOWN - --invert-regex needs --expect-regex; give the regular expression the "
              "body must not match");
  check_usage({"--http", h, "--cert", "/nonexistent/c.pem"},
              "UNKNOWN - --cert '/nonexistent/c.pem': cannot read it (No such file or "
              "directory); give a readable PEM file");
}

TEST_CASE("a bad timeout is a usage error naming the value", "[health][cli]") {
  auto r = health({"--http", "http://h/", "--timeout", "soon"});
  CHECK(r.exit_code == 3);
  CHECK(first_line(r.out) ==
        "UNKNOWN - --timeout: 'soon' is not a duration; use a whole number with a unit such as "
        "250ms, 10s, 5m or 2h");
  auto z = health({"--http", "http://h/", "--timeout", "0"});
  CHECK(z.exit_code == 3);
  CHECK(first_line(z.out) == "UNKNOWN - --timeout '0': must be at least 1ms");
}

TEST_CASE("help and version exit 0", "[health][cli]") {
  auto h = health({"--help"});
  CHECK(h.exit_code == 0);
  CHECK(h.out.find("--nagios") != std::string::npos);
  auto v = health({"--version"});
  CHECK(v.exit_code == 0);
  // "vmterm-health 0.1.0", then git describe when built from a checkout (tests/e2e/usage).
  CHECK(v.out.rfind("vmterm-health 0.1.0", 0) == 0);
}
