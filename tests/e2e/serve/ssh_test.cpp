// vmterm-serve --ssh against a real sshd (tests/support's fixture: generated host and user keys,
// strict known_hosts), through a real WebSocket: commands, resize, exit code, host key policy,
// refused logins, a server that dies, /readyz, resume, and a client that stops acknowledging.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cctype>
#include <csignal>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "otlp_spans.hpp"
#include "ports.hpp"
#include "serve_process.hpp"
#include "sshd_server.hpp"
#include "temp_dir.hpp"
#include "ws_client.hpp"
#include "ws_helpers.hpp"

using namespace vmterm::test;
using namespace vmterm::test::serve;
using namespace std::chrono_literals;

namespace {

constexpr const char* terminal_path = "/ws/terminal/";

std::string target_of(const sshd_server& sshd) {
  return sshd.user() + "@127.0.0.1:" + std::to_string(sshd.port());
}

/// vmterm-serve with --ssh to the fixture, its key and `known_hosts` (the fixture's by default).
std::vector<std::string> ssh_args(const sshd_server& sshd, std::string known_hosts = {}) {
  return {"--ssh",
          target_of(sshd),
          "--identity",
          sshd.identity_file().string(),
          "--known-hosts",
          known_hosts.empty() ? sshd.known_hosts_file().string() : std::move(known_hosts)};
}

/// A JSON string's content as text (the fingerprint's '+' and '/' are not escaped; '/' may be).
std::string unescape(std::string s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out += s[i];
  }
  return out;
}

/// "ssh-ed25519 AAAA..." of a freshly generated key at `file` (with file.pub beside it).
std::string new_key(const std::filesystem::path& file) {
  const auto r = run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", file.string()});
  REQUIRE(r.exit_code == 0);
  auto pub = read_file(file.string() + ".pub");
  const auto second_space = pub.find(' ', pub.find(' ') + 1);
  return pub.substr(0, second_space);
}

/// The first "P<digits>Q" in `text` (the shell's pid from `echo P$$Q`); "" when none.
std::string shell_pid(const std::string& text) {
  for (auto at = text.find('P'); at != std::string::npos; at = text.find('P', at + 1)) {
    auto end = at + 1;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
    if (end > at + 1 && end < text.size() && text[end] == 'Q')
      return text.substr(at + 1, end - at - 1);
  }
  return {};
}

std::string session_of(const std::string& hello) {
  const auto at = hello.find(R"("session":")");
  if (at == std::string::npos) return {};
  const auto start = at + 11;
  return hello.substr(start, hello.find('"', start) - start);
}

/// Resident memory of `pid` in KiB (VmRSS), 0 when unknown.
long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

}  // namespace

TEST_CASE("an SSH session runs commands, follows resizes and passes the remote exit code",
          "[serve][ssh]") {
  sshd_server sshd;
  serve_process serve(ssh_args(sshd));
  CHECK(serve.get("/readyz").status == 200);
  ws_client ws;
  REQUIRE(ws.connect(serve.port(), terminal_path, {.headers = {serve.bearer()}}));
  start_terminal(ws);
  std::string output;
  REQUIRE(ws.send_binary("echo vmterm-$((6*7))\n"));
  CHECK(read_until(ws, "vmterm-42", output));
  REQUIRE(ws.send_binary("stty size\n"));
  CHECK(read_until(ws, "30 100", output));
  start_terminal(ws, 132, 43);
  REQUIRE(ws.send_binary("stty size\n"));
  CHECK(read_until(ws, "43 132", output));
  REQUIRE(ws.send_binary("exit 3\n"));
  CHECK_THAT(read_control(ws, "exit"), Catch::Contains(R"("code":3)"));
  CHECK(ws.wait_closed(5s));
  CHECK(ws.close_code() == 1000);

  const auto metrics = serve.get("/metrics", {serve.bearer()});
  CHECK_THAT(metrics.body, Catch::Contains("vmterm_ssh_connects_total 1"));
  CHECK_THAT(metrics.body, Catch::Contains("vmterm_ssh_sessions 0"));
  CHECK_THAT(serve.stderr_text(), Catch::Contains("ssh " + target_of(sshd)));
}

TEST_CASE("an unknown host key is refused with its fingerprint; --accept-new-host-key trusts it",
          "[serve][ssh]") {
  sshd_server sshd;
  temp_dir dir;
  const auto known_hosts = dir / "known_hosts";
  write_file(known_hosts, "");
  {
    serve_process serve(ssh_args(sshd, known_hosts.string()));
    const auto ready = serve.get("/readyz");
    CHECK(ready.status == 503);
    CHECK_THAT(ready.body, Catch::Contains(sshd.host_key_fingerprint()));
    ws_client ws;
    REQUIRE(ws.connect(serve.port(), terminal_path, {.headers = {serve.bearer()}}));
    start_terminal(ws);
    const auto error = unescape(read_control(ws, "error"));
    CHECK_THAT(error, Catch::Contains(sshd.host_key_fingerprint()));
    CHECK_THAT(error, Catch::Contains("--accept-new-host-key"));
    CHECK(ws.wait_closed(5s));
    CHECK_FALSE(ws.close_reason().empty());
    CHECK(read_file(known_hosts).empty());  // neither the probe nor the session wrote it
  }
  auto args = ssh_args(sshd, known_hosts.string());
  args.emplace_back("--accept-new-host-key");
  serve_process serve(args);
  CHECK(serve.get("/readyz").status == 200);
  ws_client ws;
  REQUIRE(ws.connect(serve.port(), terminal_path, {.headers = {serve.bearer()}}));
  start_terminal(ws);
  std::string output;
  REQUIRE(ws.send_binary("echo vmterm-$((6*7))\n"));
  CHECK(read_until(ws, "vmterm-42", output));
  // Trusted on first use: appended in OpenSSH's form.
  const auto host_key_type = sshd.host_public_key().substr(0, sshd.host_public_key().find(' '));
  CHECK_THAT(read_file(known_hosts),
             Catch::Contains("[127.0.0.1]:" + std::to_string(sshd.port())) &&
                 Catch::Contains(host_key_type));
}

TEST_CASE("a changed host key is refused loudly, even with --accept-new-host-key", "[serve][ssh]") {
  sshd_server sshd;
  temp_dir dir;
  const auto other = new_key(dir / "other_host_key");
  const auto known_hosts = dir / "known_hosts";
  write_file(known_hosts, "[127.0.0.1]:" + std::to_string(sshd.port()) + " " + other + "\n");
  auto args = ssh_args(sshd, known_hosts.string());
  args.emplace_back("--accept-new-host-key");
  serve_process serve(args);
  const auto ready = serve.get("/readyz");
  CHECK(ready.status == 503);
  CHECK_THAT(ready.body, Catch::Contains("HAS CHANGED"));
  ws_client ws;
  REQUIRE(ws.connect(serve.port(), terminal_path, {.headers = {serve.bearer()}}));
  start_terminal(ws);
  const auto error = unescape(read_control(ws, "error"));
  CHECK_THAT(error, Catch::Contains("REMOTE HOST IDENTIFICATION HAS CHANGED"));
  CHECK_THAT(error, Catch::Contains(sshd.host_key_fingerprint()));
  CHECK(ws.wait_closed(5s));
  CHECK_FALSE(ws.close_reason().empty());
  CHECK(read_file(known_hosts).find(sshd.host_public_key()) == std::string::npos);
  // Loud on the server too: the operator's log has it.
  CHECK_THAT(serve.stderr_text(), Catch::Contains("ssh session failed") &&
                                      Catch::Contains("REMOTE HOST IDENTIFICATION HAS CHANGED"));
}

TEST_CASE("a key the server does not accept is refused in words naming the key and the user",
          "[serve][ssh]") {
  sshd_server sshd;
  temp_dir dir;
  (void)new_key(dir / "wrong_key");
  auto args = ssh_args(sshd);
  args[3] = (dir / "wrong_key").string();
  serve_process serve(args);
  ws_client ws;
  REQUIRE(ws.connect(serve.port(), terminal_path, {.headers = {serve.bearer()}}));
  start_terminal(ws);
  const auto error = unescape(read_control(ws, "error"));
  CHECK_THAT(error, Catch::Contains("authentication failed"));
  CHECK_THAT(error, Catch::Contains((dir / "wrong_key").string()));
  CHECK_THAT(error, Catch::Contains("'" + sshd.user() + "'"));
  CHECK(ws.wait_closed(5s));
}

TEST_CASE("a key file that group or others can read stops vmterm-serve with exit 2 and the chmod",
          "[serve][ssh][cli]") {
  temp_dir dir;
  const auto key = dir / "aws.pem";
  write_file(key, "not really a key\n",
             std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                 std::filesystem::perms::group_read);
  const auto r = run_tool("vmterm-serve", {"--listen", "127.0.0.1:0", "--ssh", "ec2-user@127.0.0.1",
                                           "--identity", key.string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vmterm-serve: --identity: identity file '" + key.string() +
                     "': permissions 0640 are too open (group or others can read it); run chmod "
                     "600 " +
                     key.string() + "\n");
}

TEST_CASE("SSH flags are checked at start: exit 2 naming the flag, the value and the fix",
          "[serve][ssh][cli]") {
  const run_options no_agent{.env = {{"SSH_AUTH_SOCK", std::nullopt},
                                     {"AWS_HOSTNAME", std::nullopt},
                                     {"AWS_USERNAME", std::nullopt},
                                     {"VMTERM_SSH", std::nullopt}}};
  auto r = run_tool("vmterm-serve", {"--identity", "k.pem"}, no_agent);
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "vmterm-serve: --identity: only with an SSH target; add --ssh USER@HOST (or drop "
        "--identity)\n");
  r = run_tool("vmterm-serve", {"--ssh", "ec2-user@"}, no_agent);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::StartsWith("vmterm-serve: --ssh: ssh target 'ec2-user@'"));
  r = run_tool("vmterm-serve", {"--ssh", "ec2-user@host"}, no_agent);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--identity FILE") && Catch::Contains("SSH_AUTH_SOCK"));
  auto env = no_agent;
  env.env["AWS_HOSTNAME"] = "ec2-1-2-3-4.compute.amazonaws.com";
  r = run_tool("vmterm-serve", {"--ssh-timeout", "soon"}, env);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::StartsWith("vmterm-serve: environment variable AWS_HOSTNAME="));
  CHECK_THAT(r.err, Catch::Contains("AWS_USERNAME"));
}

TEST_CASE("sshd killed mid-session: an error in words and a close, then /readyz answers 503",
          "[serve][ssh]") {
  sshd_server sshd;
  serve_process serve(ssh_args(sshd));
  ws_client ws;
  REQUIRE(ws.connect(serve.port(), terminal_path, {.headers = {serve.bearer()}}));
  start_terminal(ws);
  std::string output;
  REQUIRE(ws.send_binary("echo vmterm-$((6*7))\n"));
  REQUIRE(read_until(ws, "vmterm-42", output));
  CHECK(serve.get("/readyz").status == 200);
  const auto killed_at = std::chrono::steady_clock::now();
  sshd.stop();
  CHECK_THAT(read_control(ws, "error", 10s), Catch::Contains("connection lost"));
  CHECK(ws.wait_closed(5s));
  CHECK_FALSE(ws.close_reason().empty());
  CHECK(std::chrono::steady_clock::now() - killed_at < 5s);
  std::string body;
  CHECK(wait_until(
      [&] {
        const auto r = serve.get("/readyz");
        body = r.body;
        return r.status == 503;
      },
      5s));
  CHECK_THAT(body, Catch::Contains("not ready: ") && Catch::Contains("refused"));
}

TEST_CASE("a dropped WebSocket resumes the same SSH shell", "[serve][ssh]") {
  sshd_server sshd;
  serve_process serve(ssh_args(sshd));
  ws_client first;
  REQUIRE(first.connect(serve.port(), terminal_path, {.headers = {serve.bearer()}}));
  start_terminal(first);
  std::vector<std::string> controls;
  std::string output;
  REQUIRE(first.send_binary("echo P$$Q\n"));
  // The typed line comes back as "P$$Q"; the shell's answer has the digits.
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  while (shell_pid(output).empty() && std::chrono::steady_clock::now() < deadline) {
    const auto f = first.read(1s);
    if (f.is_binary()) output += f.data;
    if (f.is_text()) controls.push_back(f.data);
  }
  const auto pid = shell_pid(output);
  REQUIRE_FALSE(pid.empty());
  REQUIRE_FALSE(controls.empty());
  const auto session = session_of(controls.front());
  REQUIRE_FALSE(session.empty());
  // Let the prompt arrive, so the offset counts everything sent.
  while (true) {
    const auto f = first.read(300ms);
    if (!f.is_binary()) break;
    output += f.data;
  }
  first.drop();
  std::this_thread::sleep_for(500ms);

  ws_client second;
  REQUIRE(second.connect(serve.port(),
                         std::string(terminal_path) + "?session=" + session +
                             "&offset=" + std::to_string(output.size()),
                         {.headers = {serve.bearer()}}));
  std::string rest;
  REQUIRE(second.send_binary("echo again-P$$Q\n"));
  REQUIRE(read_until(second, "again-P" + pid + "Q", rest));
  CHECK(rest.find("P" + pid + "Q") != std::string::npos);
}

TEST_CASE("a client that stops acknowledging stalls the remote producer with bounded memory",
          "[serve][ssh]") {
  sshd_server sshd;
  serve_process serve(ssh_args(sshd));
  ws_client ws;
  REQUIRE(ws.connect(serve.port(), terminal_path, {.headers = {serve.bearer()}}));
  start_terminal(ws);
  REQUIRE(ws.send_binary("yes vmterm-flow-control\n"));
  // Read (so TCP is not what stops it) but never acknowledge.
  std::uint64_t received = 0;
  const auto read_for = [&](std::chrono::milliseconds how_long) {
    const auto until = std::chrono::steady_clock::now() + how_long;
    while (std::chrono::steady_clock::now() < until) {
      const auto f = ws.read(200ms);
      if (f.is_binary()) received += f.data.size();
      if (f.type == ws_frame::kind::closed || f.type == ws_frame::kind::error) return false;
    }
    return true;
  };
  REQUIRE(read_for(4s));
  const auto stalled_at = received;
  CHECK(stalled_at > 512u * 1024);       // the window's worth came
  CHECK(stalled_at < 4u * 1024 * 1024);  // and not much more
  REQUIRE(read_for(2s));
  CHECK(received == stalled_at);  // stalled: nothing more without an ack
  const auto rss = rss_kib(serve.process().pid());
  INFO("vmterm-serve RSS " << rss << " KiB");
  CHECK(rss > 0);
  CHECK(rss < 64 * 1024);
  // Acknowledging restarts it: the stall was flow control, not a dead session.
  REQUIRE(ws.send_text(R"({"type":"ack","bytes":)" + std::to_string(received) + "}"));
  REQUIRE(read_for(1s));
  CHECK(received > stalled_at);
  REQUIRE(ws.send_binary("\x03"));
}

// lib/term makes the session span current around terminal::start() (terminal_session::
// start_backend), so the backend's spans join the browser session's trace.
TEST_CASE("the ssh.* spans are children of the WebSocket session span", "[serve][ssh][trace]") {
  sshd_server sshd;
  temp_dir dir;
  const auto traces = dir / "traces.jsonl";
  {
    serve_process serve(ssh_args(sshd), {{"OTEL_TRACES_EXPORTER", "file"},
                                         {"VMTERM_TRACES_FILE", traces.string()}});
    ws_client ws;
    REQUIRE(ws.connect(serve.port(), terminal_path, {.headers = {serve.bearer()}}));
    start_terminal(ws);
    REQUIRE(ws.send_binary("exit 0\n"));
    CHECK_FALSE(read_control(ws, "exit").empty());
    CHECK(ws.wait_closed(5s));
    serve.process().signal(SIGTERM);
    REQUIRE(wait_until([&] { return !serve.process().running(); }, 10s));
  }
  std::map<std::string, std::pair<std::string, std::string>> spans;  // name -> (id, parent)
  for (const auto& [name, sp] : otlp_spans_in(traces)) {
    spans[name] = {sp.value("spanId", ""), sp.value("parentSpanId", "")};
  }
  REQUIRE(spans.count("WS /ws/terminal/") == 1);
  const auto session_span = spans["WS /ws/terminal/"].first;
  for (const char* name : {"ssh.connect", "ssh.handshake", "ssh.auth", "ssh.channel"}) {
    INFO(name);
    REQUIRE(spans.count(name) == 1);
    CHECK(spans[name].second == session_span);
  }
}

TEST_CASE("/readyz never waits on a silent SSH host once it has an answer", "[serve][ssh]") {
  // A listening socket that completes TCP handshakes (the backlog) but never speaks SSH: every
  // readiness probe runs into its timeout.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(fd, 64) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  const auto port = ntohs(addr.sin_port);
  sshd_server sshd;  // only for a key and a known_hosts file
  serve_process serve({"--ssh", "someone@127.0.0.1:" + std::to_string(port), "--identity",
                       sshd.identity_file().string(), "--known-hosts",
                       sshd.known_hosts_file().string(), "--ssh-timeout", "1s"});
  // The first probe started with the server; the first /readyz waits for it at most.
  const auto first = serve.get("/readyz");
  CHECK(first.status == 503);
  std::this_thread::sleep_for(2500ms);  // past the answer's 2 s lifetime: a new probe starts
  for (int i = 0; i < 3; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = serve.get("/readyz");
    const auto took = std::chrono::steady_clock::now() - t0;
    CHECK(r.status == 503);
    CHECK(took < 500ms);  // the last answer, while the probe (1 s) runs behind it
  }
  ::close(fd);
}
