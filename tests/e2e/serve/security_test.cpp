// vmterm-serve against the attacks of issue 14: a shell holds only its terminal (no descriptor
// of the server's), DNS rebinding (the Host allow-list, Origin checked against it), one
// session cookie per instance, HTTP/1.1 Host strictness, private key files, a --command that
// is not a program, and an exit that does not wait for an absent collector.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include "ports.hpp"
#include "serve_process.hpp"
#include "ws_client.hpp"

using namespace vmterm::test;
using namespace vmterm::test::serve;
using namespace std::chrono_literals;

namespace {

/// Runs `command` in the terminal and returns its output: what the shell printed between the
/// BEGIN and END markers (the typed line echoes "$((1+1))", so it never matches).
std::string run_in(ws_client& ws, const std::string& command) {
  REQUIRE(ws.send_binary("echo BEGIN-$((1+1)); " + command + "; echo END-$((2+2))\n"));
  std::string output;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline && output.find("END-4") == std::string::npos) {
    const auto f = ws.read(1s);
    if (f.is_binary()) output += f.data;
    if (f.type == ws_frame::kind::closed || f.type == ws_frame::kind::error) break;
  }
  const auto begin = output.find("BEGIN-2");
  const auto end = output.find("END-4");
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  return output.substr(begin, end - begin);
}

/// The "N -> target" entries of an `ls -l /proc/.../fd` listing.
std::map<int, std::string> fd_table(const std::string& listing) {
  std::map<int, std::string> fds;
  static const std::regex entry(R"((\d+) -> ([^\r\n]+))");
  for (std::sregex_iterator it(listing.begin(), listing.end(), entry), end; it != end; ++it) {
    fds[std::stoi((*it)[1])] = (*it)[2];
  }
  return fds;
}

bool open_terminal(ws_client& ws, const serve_process& serve) {
  if (!ws.connect(serve.port(), "/ws/terminal/", {.headers = {serve.bearer()}})) return false;
  return ws.send_text(R"({"type":"resize","cols":200,"rows":30})");
}

/// A WebSocket upgrade as curl sends it in the issue, with the given Host and Origin.
std::string upgrade_request(const std::string& host, const std::string& origin) {
  return "GET /ws/terminal/ HTTP/1.1\r\nHost: " + host +
         "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: " +
         origin + "\r\n\r\n";
}

std::string body_of(const std::string& response) {
  const auto at = response.find("\r\n\r\n");
  return at == std::string::npos ? std::string() : response.substr(at + 4);
}

std::string rebinding_refusal(const std::string& host, const std::string& name) {
  return "403 Forbidden: Host '" + host +
         "' is not a name of this server (a page of another site can send it after a DNS "
         "rebinding); to reach the server by that name, start it with --allow-host " +
         name + "\n";
}

run_result serve_cli(const std::vector<std::string>& args) {
  return run_tool("vmterm-serve", args,
                  {.env = {{"OTEL_TRACES_EXPORTER", "none"}}, .timeout = 20s});
}

}  // namespace

TEST_CASE("a shell holds only its terminal: no socket, no pipe, no other session's PTY",
          "[serve][security]") {
  serve_process serve({"--command", test_command});
  // Two sessions at once, and a keep-alive HTTP connection: meanwhile the server holds the
  // listening socket, two WebSockets, an HTTP connection and two PTY masters.
  ws_client a, b;
  REQUIRE(open_terminal(a, serve));
  REQUIRE(open_terminal(b, serve));
  const auto idle = tcp_exchange(serve.port(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                                 1 << 16, 200ms);
  REQUIRE(idle);
  std::set<std::string> terminals;
  for (auto* ws : {&a, &b}) {
    // The shell's own descriptors: its terminal (0, 1, 2, and bash's own copy on 255).
    const auto shell = fd_table(run_in(*ws, "ls -l /proc/$$/fd"));
    REQUIRE(shell.count(0) == 1);
    for (const auto& [fd, target] : shell) {
      INFO("shell fd " << fd << " -> " << target);
      CHECK(target == shell.at(0));
    }
    CHECK(shell.at(0).starts_with("/dev/pts/"));
    terminals.insert(shell.at(0));
    // A program the shell starts: 0, 1, 2 and the directory ls reads, nothing else.
    auto child = fd_table(run_in(*ws, "ls -l /proc/self/fd"));
    std::set<int> numbers;
    for (const auto& [fd, target] : child) numbers.insert(fd);
    CHECK(numbers == std::set<int>{0, 1, 2, 3});
    CHECK(child[1] == shell.at(0));
    CHECK(child[3].starts_with("/proc/"));
  }
  CHECK(terminals.size() == 2);
}

TEST_CASE("a DNS-rebound name gets 403 naming --allow-host, with --no-auth and with a token",
          "[serve][security]") {
  for (const bool no_auth : {true, false}) {
    INFO((no_auth ? "--no-auth" : "token"));
    std::vector<std::string> args{"--command", test_command};
    if (no_auth) args.emplace_back("--no-auth");
    serve_process serve(args);
    const auto p = std::to_string(serve.port());
    // The issue's curl: Host and Origin of the attacker's page, rebound to 127.0.0.1.
    const auto got = tcp_exchange(
        serve.port(), upgrade_request("attacker.example:" + p, "http://attacker.example:" + p),
        1 << 16, 3s);
    REQUIRE(got);
    CHECK(got->starts_with("HTTP/1.1 403 Forbidden\r\n"));
    CHECK(body_of(*got) == rebinding_refusal("attacker.example:" + p, "attacker.example"));
    // Every request, not only the upgrade.
    const auto page = tcp_exchange(
        serve.port(), "GET /healthz HTTP/1.1\r\nHost: attacker.example:" + p + "\r\n\r\n", 1 << 16,
        3s);
    REQUIRE(page);
    CHECK(page->starts_with("HTTP/1.1 403 Forbidden\r\n"));
    // A name of the server with a foreign Origin: the Origin is checked against the server's
    // names, not against the request's own Host.
    const auto foreign = tcp_exchange(
        serve.port(), upgrade_request("localhost:" + p, "http://attacker.example:" + p), 1 << 16,
        3s);
    REQUIRE(foreign);
    CHECK(foreign->starts_with(no_auth ? "HTTP/1.1 403 Forbidden\r\n" : "HTTP/1.1 401 "));
  }
}

TEST_CASE("the names a loopback server is reached by still work, and --allow-host adds one",
          "[serve][security]") {
  serve_process serve({"--command", test_command, "--no-auth", "--allow-host", "Vmterm.Example"});
  const auto p = std::to_string(serve.port());
  for (const std::string host : {"127.0.0.1", "localhost", "[::1]", "vmterm.example"}) {
    INFO(host);
    const auto got = tcp_exchange(
        serve.port(), upgrade_request(host + ":" + p, "http://" + host + ":" + p), 12, 3s);
    REQUIRE(got);
    CHECK(got->starts_with("HTTP/1.1 101"));
  }
  // Through an SSH tunnel (ssh -L 9000:127.0.0.1:PORT) the port differs: the name is what counts.
  const auto tunnel = tcp_exchange(
      serve.port(), upgrade_request("localhost:9000", "http://localhost:9000"), 12, 3s);
  REQUIRE(tunnel);
  CHECK(tunnel->starts_with("HTTP/1.1 101"));
  // The same name on another port is another site: its page does not get in.
  const auto other_port = tcp_exchange(
      serve.port(), upgrade_request("localhost:" + p, "http://localhost:3000"), 1 << 16, 3s);
  REQUIRE(other_port);
  CHECK(other_port->starts_with("HTTP/1.1 403 Forbidden\r\n"));

  const auto bad = serve_cli({"--listen", "127.0.0.1:0", "--allow-host", "example.com:8443"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err ==
        "vmterm-serve: --allow-host: 'example.com:8443' has a port; give the name only (any port "
        "is accepted)\n");
}

TEST_CASE("HTTP/1.1 without a Host header, or with two, gets 400", "[serve][security]") {
  serve_process serve({"--command", test_command});
  const auto none = tcp_exchange(serve.port(), "GET /healthz HTTP/1.1\r\n\r\n", 1 << 16, 3s);
  REQUIRE(none);
  CHECK(none->starts_with("HTTP/1.1 400 Bad Request\r\n"));
  CHECK(body_of(*none) == "400 Bad Request: an HTTP/1.1 request needs a Host header\n");
  const auto two = tcp_exchange(
      serve.port(), "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: 127.0.0.1\r\n\r\n", 1 << 16,
      3s);
  REQUIRE(two);
  CHECK(two->starts_with("HTTP/1.1 400 Bad Request\r\n"));
  CHECK(body_of(*two) == "400 Bad Request: the request has 2 Host headers; send exactly one\n");
  // HTTP/1.0 has no Host requirement.
  const auto old = tcp_exchange(serve.port(), "GET /healthz HTTP/1.0\r\n\r\n", 1 << 16, 3s);
  REQUIRE(old);
  CHECK(old->starts_with("HTTP/1.1 200 OK\r\n"));
}

TEST_CASE("two instances on one host keep their own login cookie", "[serve][security]") {
  serve_process a({"--command", test_command});
  serve_process b({"--command", test_command});
  // A browser's cookie jar for 127.0.0.1: cookies ignore ports, a name set again replaces it.
  std::map<std::string, std::string> jar;
  for (auto* s : {&a, &b}) {
    const auto pair = cookie_pair(s->get("/?token=" + s->token()));
    const auto eq = pair.find('=');
    CHECK(pair.substr(0, eq) == "vmterm_session_" + std::to_string(s->port()));
    jar[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  std::string header;
  for (const auto& [name, value] : jar) header += (header.empty() ? "" : "; ") + name + "=" + value;
  CHECK(a.get("/", {{"Cookie", header}}).status == 200);
  CHECK(b.get("/", {{"Cookie", header}}).status == 200);
}

TEST_CASE("the cookie's Path is the base path; under TLS at / its name has the __Host- prefix",
          "[serve][security]") {
  serve_process below({"--command", test_command, "--base-path", "/vmterm"});
  const auto login = below.get("/vmterm/?token=" + below.token());
  const auto cookie = std::string(login.headers.get("Set-Cookie").value_or(""));
  const auto name = "vmterm_session_" + std::to_string(below.port());
  CHECK(cookie == cookie_pair(login) + "; Path=/vmterm/; HttpOnly; SameSite=Strict");
  CHECK(cookie.starts_with(name + "="));

  temp_dir tmp;
  const auto cert = (tmp / "cert.pem").string();
  const auto key = (tmp / "key.pem").string();
  REQUIRE(run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
               "/CN=127.0.0.1", "-keyout", key, "-out", cert})
              .exit_code == 0);
  serve_process tls({"--command", test_command, "--tls-cert", cert, "--tls-key", key});
  const auto secure = tls.get("/?token=" + tls.token());
  const auto set = std::string(secure.headers.get("Set-Cookie").value_or(""));
  CHECK(set == cookie_pair(secure) + "; Path=/; HttpOnly; SameSite=Strict; Secure");
  CHECK(set.starts_with("__Host-vmterm_session_" + std::to_string(tls.port()) + "="));
  CHECK(tls.get("/", {{"Cookie", cookie_pair(secure)}}).status == 200);
}

TEST_CASE("a TLS key or token file that others can read is refused like an SSH key",
          "[serve][security]") {
  temp_dir tmp;
  const auto token = (tmp / "token").string();
  write_file(token, "0123456789abcdef0123456789abcdef\n",
             std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                 std::filesystem::perms::group_read | std::filesystem::perms::others_read);
  const auto t = serve_cli({"--listen", "127.0.0.1:0", "--token-file", token});
  CHECK(t.exit_code == 2);
  CHECK(t.err == "vmterm-serve: --token-file: token file '" + token +
                     "': permissions 0644 are too open (group or others can read it); run chmod "
                     "600 " +
                     token + "\n");

  const auto cert = (tmp / "cert.pem").string();
  const auto key = (tmp / "key.pem").string();
  REQUIRE(run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
               "/CN=127.0.0.1", "-keyout", key, "-out", cert})
              .exit_code == 0);
  std::filesystem::permissions(key, std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  const auto k = serve_cli({"--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key});
  CHECK(k.exit_code == 2);
  CHECK(k.err == "vmterm-serve: --tls-key: TLS key '" + key +
                     "': permissions 0640 are too open (group or others can read it); run chmod "
                     "600 " +
                     key + "\n");
}

TEST_CASE("an SSH key the server cannot read is refused at start, naming it and the errno",
          "[serve][security]") {
  // Root reads any file, so as root the server runs as nobody (setpriv) against a key owned by
  // root; otherwise a key of mode 000 is unreadable to its owner too.
  temp_dir tmp;
  std::filesystem::permissions(tmp.path(), std::filesystem::perms::owner_all |
                                               std::filesystem::perms::group_exec |
                                               std::filesystem::perms::others_exec);
  const auto key = (tmp / "aws.pem").string();
  write_file(key, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
  std::vector<std::string> argv;
  if (::geteuid() == 0) {
    argv = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  } else {
    std::filesystem::permissions(key, std::filesystem::perms::none);
  }
  argv.push_back((bin_dir() / "vmterm-serve").string());
  for (const char* a : {"--listen", "127.0.0.1:0", "--ssh", "ec2-user@127.0.0.1", "-i"}) {
    argv.emplace_back(a);
  }
  argv.push_back(key);
  const auto r = run(argv, {.env = {{"OTEL_TRACES_EXPORTER", "none"}}, .timeout = 20s});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::StartsWith("vmterm-serve: --identity: identity file '" + key +
                                      "': cannot read it: permission denied (running as user '"));
  if (::geteuid() == 0) {
    CHECK(r.err == "vmterm-serve: --identity: identity file '" + key +
                       "': cannot read it: permission denied (running as user 'nobody'); make "
                       "it readable by that user, e.g. owned by it with chmod 600\n");
  }
}

TEST_CASE("a --command that is not a program makes /readyz 503 with the reason",
          "[serve][security]") {
  temp_dir tmp;
  // Like /etc/hostname on many hosts: executable bits on a text file.
  const auto text = (tmp / "hostname").string();
  write_file(text, "myhost\n",
             std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                 std::filesystem::perms::group_exec);
  serve_process serve({"--command", text});
  const auto ready = serve.get("/readyz");
  CHECK(ready.status == 503);
  CHECK(ready.body == "not ready: --command: '" + text +
                          "' is not a program (neither an ELF binary nor a script starting with "
                          "#!)\n");
  CHECK_THAT(serve.stderr_text(), Catch::Contains("is not a program"));
  // A script is one.
  write_file(text, "#!/bin/sh\nexec bash --norc\n", std::filesystem::perms::owner_all);
  CHECK(serve.get("/readyz").status == 200);
}

TEST_CASE("SIGTERM with no collector exits within 2 s and says how many spans were dropped",
          "[serve][telemetry]") {
  const auto closed = free_loopback_port();  // nothing listens there
  serve_process serve(
      {"--command", test_command},
      {{"OTEL_TRACES_EXPORTER", "otlp"},
       {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + std::to_string(closed)}});
  // /health-check/: traced (/healthz makes no span, --trace-exclude's default).
  for (int i = 0; i < 3; ++i) CHECK(serve.get("/health-check/").status == 200);
  const auto stop_at = std::chrono::steady_clock::now();
  ::kill(serve.process().pid(), SIGTERM);
  REQUIRE(wait_until([&] { return !serve.process().running(); }, 15s));
  const auto took = std::chrono::steady_clock::now() - stop_at;
  CHECK(serve.process().exit_code() == 0);
  CHECK(took < 2s);
  const auto err = serve.stderr_text();
  INFO(err);
  CHECK_THAT(err, Catch::Contains("tracing: spans not exported at exit were dropped (the exporter "
                                  "did not take them within 1 s)"));
  static const std::regex dropped(R"re("dropped_spans":(\d+))re");
  std::smatch m;
  REQUIRE(std::regex_search(err, m, dropped));
  CHECK(std::stoi(m[1]) >= 3);
  // One line about it, not the exporter's own as well.
  CHECK(err.find("export spans to") == std::string::npos);
}
