// vmterm-serve's terminal WebSocket through a real client: refusals (401, 403), a command typed
// into a real shell, the exit code, --max-sessions, and a graceful stop on SIGTERM.
#include <catch2/catch.hpp>
#include <csignal>
#include <thread>

#include "ports.hpp"
#include "serve_process.hpp"
#include "ws_client.hpp"
#include "ws_helpers.hpp"

using namespace vmterm::test;
using namespace vmterm::test::serve;
using namespace std::chrono_literals;

namespace {

constexpr const char* terminal_path = "/ws/terminal/";

std::string same_origin(const serve_process& serve) {
  return "http://127.0.0.1:" + std::to_string(serve.port());
}

/// A browser-like client: the session cookie from the login URL and the page's own Origin.
ws_connect_options as_browser(const serve_process& serve) {
  const auto login = serve.get("/?token=" + serve.token());
  return {.headers = {{"Cookie", cookie_pair(login)}, {"Origin", same_origin(serve)}}};
}

}  // namespace

TEST_CASE("the WebSocket upgrade needs credentials (401) and the page's Origin (403)",
          "[serve][ws]") {
  serve_process serve({"--command", test_command});
  ws_client none;
  CHECK_FALSE(
      none.connect(serve.port(), terminal_path, {.headers = {{"Origin", same_origin(serve)}}}));
  CHECK(none.status() == 401);

  auto browser = as_browser(serve);
  browser.headers[1].second = "http://evil.example";
  ws_client foreign;
  CHECK_FALSE(foreign.connect(serve.port(), terminal_path, browser));
  CHECK(foreign.status() == 403);
  CHECK_THAT(foreign.body(),
             Catch::EndsWith("; to allow it, start vmterm-serve with --allow-origin "
                             "http://evil.example\n"));

  ws_client token_in_url;  // the credential itself is never a WebSocket token
  CHECK_FALSE(token_in_url.connect(serve.port(),
                                   std::string(terminal_path) + "?token=" + serve.token(),
                                   {.headers = {{"Origin", same_origin(serve)}}}));
  CHECK(token_in_url.status() == 401);

  ws_client ok;
  CHECK(ok.connect(serve.port(), terminal_path, as_browser(serve)));
  CHECK(ok.status() == 101);
}

TEST_CASE("an allowed origin (--allow-origin) may open the terminal", "[serve][ws]") {
  serve_process serve({"--command", test_command, "--allow-origin", "https://example.com"});
  auto browser = as_browser(serve);
  browser.headers[1].second = "https://example.com";
  ws_client ws;
  CHECK(ws.connect(serve.port(), terminal_path, browser));
}

TEST_CASE("a command typed into the terminal runs in a real shell, and its exit code arrives",
          "[serve][ws]") {
  serve_process serve({"--command", test_command});
  ws_client ws;
  REQUIRE(ws.connect(serve.port(), terminal_path, {.headers = {serve.bearer()}}));
  start_terminal(ws);
  REQUIRE(ws.send_binary("echo vmterm-$((6*7))\n"));
  std::string output;
  CHECK(read_until(ws, "vmterm-42", output));
  REQUIRE(ws.send_binary("stty size\n"));
  CHECK(read_until(ws, "30 100", output));
  REQUIRE(ws.send_binary("exit 7\n"));
  const auto exit = read_control(ws, "exit");
  CHECK_THAT(exit, Catch::Contains(R"("code":7)"));
  CHECK(ws.wait_closed(5s));
  CHECK(ws.close_code() == 1000);
}

TEST_CASE("a session limit (--max-sessions) refuses one more with a message and close 1013",
          "[serve][ws]") {
  serve_process serve({"--command", test_command, "--max-sessions", "1"});
  ws_client first;
  REQUIRE(first.connect(serve.port(), terminal_path, {.headers = {serve.bearer()}}));
  start_terminal(first);
  CHECK_FALSE(read_control(first, "hello").empty());

  ws_client second;
  REQUIRE(second.connect(serve.port(), terminal_path, {.headers = {serve.bearer()}}));
  const auto error = read_control(second, "error");
  CHECK_THAT(error, Catch::Contains("sessions"));
  CHECK(second.wait_closed(5s));
  CHECK(second.close_code() == 1013);
}

TEST_CASE("SIGTERM closes every WebSocket with 1001 and exits 0 promptly", "[serve][ws]") {
  serve_process serve({"--command", test_command});
  ws_client a, b;
  REQUIRE(a.connect(serve.port(), terminal_path, {.headers = {serve.bearer()}}));
  REQUIRE(b.connect(serve.port(), terminal_path, as_browser(serve)));
  for (auto* ws : {&a, &b}) {
    start_terminal(*ws);
    std::string out;
    REQUIRE(ws->send_binary("echo ready-$((1+1))\n"));
    REQUIRE(read_until(*ws, "ready-2", out));
  }
  const auto stop_at = std::chrono::steady_clock::now();
  ::kill(serve.process().pid(), SIGTERM);
  for (auto* ws : {&a, &b}) {
    CHECK(ws->wait_closed(5s));
    CHECK(ws->close_code() == 1001);
  }
  REQUIRE(wait_until([&] { return !serve.process().running(); }, 5s));
  CHECK(serve.process().exit_code() == 0);
  CHECK(std::chrono::steady_clock::now() - stop_at < 3s);
  // No longer listening.
  CHECK_FALSE(tcp_exchange(serve.port(), "GET /healthz HTTP/1.0\r\n\r\n", 12).has_value());
}

TEST_CASE("a read-only terminal (--readonly) says so in hello and drops keystrokes",
          "[serve][ws]") {
  serve_process serve({"--command", test_command, "--readonly"});
  ws_client ws;
  REQUIRE(ws.connect(serve.port(), terminal_path, {.headers = {serve.bearer()}}));
  start_terminal(ws);
  CHECK_THAT(read_control(ws, "hello"), Catch::Contains(R"("readonly":true)"));
  REQUIRE(ws.send_binary("echo vmterm-$((6*7))\n"));
  std::string output;
  CHECK_FALSE(read_until(ws, "vmterm-42", output, nullptr, 1500ms));
}

TEST_CASE("an idle session (--idle-timeout) is ended with the reason in words", "[serve][ws]") {
  serve_process serve({"--command", test_command, "--idle-timeout", "1s"});
  ws_client ws;
  REQUIRE(ws.connect(serve.port(), terminal_path, {.headers = {serve.bearer()}}));
  start_terminal(ws);
  CHECK_THAT(read_control(ws, "error", 5s), Catch::Contains("without input (the idle timeout)"));
  CHECK(ws.wait_closed(5s));
}

TEST_CASE("a message above the limit (--max-message) closes with 1009", "[serve][ws]") {
  serve_process serve({"--command", test_command, "--max-message", "4KiB"});
  ws_client ws;
  REQUIRE(ws.connect(serve.port(), terminal_path, {.headers = {serve.bearer()}}));
  start_terminal(ws);
  (void)ws.send_binary(std::string(8192, 'x'));
  CHECK(ws.wait_closed(5s));
  CHECK(ws.close_code() == 1009);
  CHECK(ws.close_reason() == "message larger than 4096 bytes, the server's message limit");
}

TEST_CASE("a dropped connection resumes its session with exactly the output it missed",
          "[serve][ws]") {
  serve_process serve({"--command", test_command});
  ws_client first;
  REQUIRE(first.connect(serve.port(), terminal_path, {.headers = {serve.bearer()}}));
  start_terminal(first);
  std::vector<std::string> controls;
  std::string output;
  REQUIRE(first.send_binary("echo before-$((2*2))\n"));
  REQUIRE(read_until(first, "before-4", output, &controls));
  REQUIRE_FALSE(controls.empty());
  const auto& hello = controls.front();
  const auto id_at = hello.find(R"("session":")");
  REQUIRE(id_at != std::string::npos);
  const auto id_start = id_at + 11;
  const auto session = hello.substr(id_start, hello.find('"', id_start) - id_start);
  // Output made while nobody is connected is kept for the next connection.
  REQUIRE(first.send_binary("sleep 0.3; echo after-$((3*3))\n"));
  std::this_thread::sleep_for(50ms);
  // The echo of the typed line may or may not have arrived; what did counts for the offset.
  if (const auto f = first.read(100ms); f.is_binary()) output += f.data;
  first.drop();
  std::this_thread::sleep_for(800ms);

  ws_client second;
  const auto target = std::string(terminal_path) + "?session=" + session +
                      "&offset=" + std::to_string(output.size());
  REQUIRE(second.connect(serve.port(), target, {.headers = {serve.bearer()}}));
  std::string rest;
  CHECK(read_until(second, "after-9", rest));
  // Nothing repeated: the first output is not sent again.
  CHECK(rest.find("before-4") == std::string::npos);
  REQUIRE(second.send_binary("echo resumed-$((2+3))\n"));
  CHECK(read_until(second, "resumed-5", rest));
}

TEST_CASE("the command runs without a shell, its words split as sh would quote them",
          "[serve][ws]") {
  serve_process serve({"--command", R"(sh -c 'printf "%s|" one "two  words" \$HOME; exit 5')"});
  ws_client ws;
  REQUIRE(ws.connect(serve.port(), terminal_path, {.headers = {serve.bearer()}}));
  start_terminal(ws);
  std::string output;
  std::vector<std::string> controls;
  // Inside '...' the backslash stays: sh gets \$HOME and prints it literally.
  CHECK(read_until(ws, "one|two  words|$HOME|", output, &controls));
  std::string exit;
  for (const auto& c : controls) {
    if (c.find(R"("type":"exit")") != std::string::npos) exit = c;
  }
  if (exit.empty()) exit = read_control(ws, "exit");
  CHECK_THAT(exit, Catch::Contains(R"("code":5)"));
}
