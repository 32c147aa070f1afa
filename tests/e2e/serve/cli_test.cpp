// vmterm-serve's command line: refusals with exit 2 and the exact message naming the flag, the
// value and the fix; a port in use with exit 1.
#include <catch2/catch.hpp>

#include "ports.hpp"
#include "serve_process.hpp"

using namespace vmterm::test;
using namespace vmterm::test::serve;

namespace {

run_result serve_cli(const std::vector<std::string>& args, env_changes env = {}) {
  env.emplace("OTEL_TRACES_EXPORTER", "none");
  for (const char* name :
       {"VMTERM_LISTEN", "VMTERM_TOKEN", "VMTERM_TOKEN_FILE", "VMTERM_COMMAND"}) {
    env.emplace(name, std::nullopt);
  }
  return run_tool("vmterm-serve", args, {.env = env, .timeout = std::chrono::seconds(20)});
}

}  // namespace

TEST_CASE("no auth (--no-auth) with a non-loopback address exits 2 and says why", "[serve][cli]") {
  const auto r = serve_cli({"--no-auth", "--listen", "0.0.0.0:0"});
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "vmterm-serve: --no-auth: only with a loopback listen address, not '0.0.0.0:0'; listen on "
        "127.0.0.1 (--listen) or drop --no-auth\n");
  CHECK(r.out.empty());
}

TEST_CASE("bad flag values exit 2 with a message naming the flag, the value and the fix",
          "[serve][cli]") {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"--idle-timeout", "5x"},
       "vmterm-serve: --idle-timeout: '5x' is not a duration; use a whole number with a unit such "
       "as 250ms, 10s, 5m or 2h\n"},
      {{"--resume-grace", "soon"},
       "vmterm-serve: --resume-grace: 'soon' is not a duration; use a whole number with a unit "
       "such as 250ms, 10s, 5m or 2h\n"},
      {{"--max-sessions", "0"},
       "vmterm-serve: --max-sessions: '0' is out of range; use a number from 1 to 100000\n"},
      {{"--max-sessions", "many"}, "vmterm-serve: --max-sessions: 'many' is not a whole number\n"},
      {{"--max-message", "12"},
       "vmterm-serve: --max-message: '12' is out of range; use 4KiB to 64MiB\n"},
      {{"--max-message", "1GB"},
       "vmterm-serve: --max-message: '1GB' is not a size; use a whole number of bytes or KiB/MiB "
       "such as 65536 or 64KiB\n"},
      {{"--listen", "8000"},
       "vmterm-serve: --listen: parse listen address '8000': missing port; use HOST:PORT such as "
       "127.0.0.1:8000\n"},
      {{"--base-path", "vmterm"},
       "vmterm-serve: --base-path: 'vmterm' does not start with '/'; use e.g. /vmterm\n"},
      {{"--log-format", "xml"},
       "vmterm-serve: --log-format: unknown log format 'xml'; use json or text\n"},
      {{"--log-level", "loud"},
       "vmterm-serve: --log-level: unknown log level 'loud'; use debug, info, warn or error\n"},
      {{"--command", "bash 'unterminated"},
       "vmterm-serve: --command: unterminated ' quote; give a program and its arguments, e.g. "
       "'bash -l'\n"},
      {{"--allow-origin", "example.com"},
       "vmterm-serve: --allow-origin: 'example.com' is not an origin; use scheme://host[:port] "
       "such as https://example.com, or *\n"},
      {{"--token-file", "/nonexistent/token"},
       "vmterm-serve: --token-file: cannot read '/nonexistent/token': no such file or directory; "
       "give a readable file holding the token\n"},
  };
  for (const auto& [args, message] : cases) {
    INFO(args.front() << " " << args.back());
    const auto r = serve_cli(args);
    CHECK(r.exit_code == 2);
    CHECK(r.err == message);
  }
}

TEST_CASE("bad environment values exit 2 naming the variable; the token is never repeated",
          "[serve][cli]") {
  const auto listen = serve_cli({}, {{"VMTERM_LISTEN", "8000"}});
  CHECK(listen.exit_code == 2);
  CHECK(listen.err ==
        "vmterm-serve: environment variable VMTERM_LISTEN='8000': parse listen address '8000': "
        "missing port; use HOST:PORT such as 127.0.0.1:8000; fix or unset VMTERM_LISTEN\n");
  const auto token = serve_cli({"--listen", "127.0.0.1:0"}, {{"VMTERM_TOKEN", "short-secret"}});
  CHECK(token.exit_code == 2);
  CHECK(token.err ==
        "vmterm-serve: environment variable VMTERM_TOKEN: the token is shorter than 16 characters; "
        "make one with: openssl rand -hex 32; fix or unset VMTERM_TOKEN\n");
  // The flag wins over the variable.
  const auto flag_wins =
      serve_cli({"--listen", "bad", "--max-sessions", "1"}, {{"VMTERM_LISTEN", "127.0.0.1:0"}});
  CHECK(flag_wins.exit_code == 2);
  CHECK_THAT(flag_wins.err, Catch::StartsWith("vmterm-serve: --listen: "));
}

TEST_CASE("a token file with a short token is refused without printing it", "[serve][cli]") {
  temp_dir tmp;
  write_file(tmp / "token", "abc\n");
  const auto r = serve_cli({"--token-file", (tmp / "token").string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vmterm-serve: --token-file: the token in '" + (tmp / "token").string() +
                     "' is shorter than 16 characters; make one with: openssl rand -hex 32\n");
}

TEST_CASE("unknown flags exit 2; --help lists every flag and exits 0", "[serve][cli]") {
  const auto bad = serve_cli({"--bogus"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--bogus"));
  const auto help = serve_cli({"--help"});
  CHECK(help.exit_code == 0);
  for (const auto* flag :
       {"--listen", "--base-path", "--token-file", "--no-auth", "--allow-origin", "--command",
        "--max-sessions", "--idle-timeout", "--resume-grace", "--readonly", "--max-message",
        "--tls-cert", "--tls-key", "--log-format", "--log-level"}) {
    CHECK_THAT(help.out, Catch::Contains(flag));
  }
}

TEST_CASE("a port in use exits 1 naming the address and --listen", "[serve][cli]") {
  serve_process first({"--command", test_command});
  const auto where = "127.0.0.1:" + std::to_string(first.port());
  const auto r = serve_cli({"--listen", where});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "vmterm-serve: --listen: listen on '" + where +
                     "': address already in use; stop what holds the port or choose another "
                     "address\n");
}
