// vmterm-serve's page in headless Chromium, driven over the Chrome DevTools Protocol: log in
// with the printed URL, type a command, read its output from the terminal's rows, resize the
// window and see the shell follow, and read the status bar.
#include <catch2/catch.hpp>
#include <regex>

#include "cdp_client.hpp"
#include "chromium_process.hpp"
#include "ports.hpp"
#include "process.hpp"
#include "service.hpp"
#include "temp_dir.hpp"

namespace vmterm::test {
namespace {

using json = nlohmann::json;
using namespace std::chrono_literals;

/// vmterm-serve on a free loopback port, each session a plain bash. It makes its own token and
/// prints the login URL holding it, as a user starting it by hand sees.
struct serve_fixture {
  temp_dir dir{"vmterm-browser"};
  started_service service;

  serve_fixture() {
    const auto log = dir / "serve.log";
    service = start_service({
        .name = "vmterm-serve",
        .command =
            [&](std::uint16_t port) {
              return spawn_options{
                  .argv = {(bin_dir() / "vmterm-serve").string(), "--listen",
                           "127.0.0.1:" + std::to_string(port), "--command",
                           "bash --norc --noprofile"},
                  .env = {{"VMTERM_TOKEN", std::nullopt},
                          {"VMTERM_TOKEN_FILE", std::nullopt},
                          {"HISTFILE", ""}},
                  .cwd = dir.path(),
                  .stdout_file = log,
                  .stderr_file = log,
              };
            },
        .ready =
            [](std::uint16_t port) {
              const auto reply = tcp_exchange(
                  port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                  12);
              return reply && reply->starts_with("HTTP/1.1 200");
            },
        .log = log,
    });
  }

  /// The login URL vmterm-serve printed on stderr; "" when it printed none.
  [[nodiscard]] std::string login_url() const {
    std::smatch m;
    const auto text = read_file(dir / "serve.log");
    static const std::regex line(R"(vmterm-serve: open (http://\S+))");
    return std::regex_search(text, m, line) ? m[1].str() : std::string{};
  }
};

/// One tab, attached in flatten mode.
class page {
 public:
  page(cdp_client& cdp, const std::string& url) : cdp_(cdp) {
    target_ = cdp_.call("Target.createTarget", {{"url", url}})["targetId"];
    session_ =
        cdp_.call("Target.attachToTarget", {{"targetId", target_}, {"flatten", true}})["sessionId"];
  }

  /// Evaluates a JavaScript expression in the page and returns its value.
  json eval(const std::string& expression) {
    auto r = cdp_.call("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}},
                       session_);
    if (r.contains("exceptionDetails")) return nullptr;
    return r["result"].value("value", json());
  }

  /// Polls a boolean expression until it holds.
  bool wait_for(const std::string& expression, std::chrono::milliseconds timeout = 15s) {
    return wait_until([&] { return eval(expression) == true; }, timeout, 50ms);
  }

  void type_line(const std::string& text) {
    (void)eval("window.vmterm.term.focus()");
    cdp_.call("Input.insertText", {{"text", text}}, session_);
    cdp_.call("Input.dispatchKeyEvent",
              {{"type", "keyDown"},
               {"key", "Enter"},
               {"code", "Enter"},
               {"windowsVirtualKeyCode", 13},
               {"text", "\r"}},
              session_);
    cdp_.call(
        "Input.dispatchKeyEvent",
        {{"type", "keyUp"}, {"key", "Enter"}, {"code", "Enter"}, {"windowsVirtualKeyCode", 13}},
        session_);
  }

  void resize_window(int width, int height) {
    const auto window = cdp_.call("Browser.getWindowForTarget", {{"targetId", target_}});
    cdp_.call("Browser.setWindowBounds",
              {{"windowId", window["windowId"]},
               {"bounds", {{"width", width}, {"height", height}, {"windowState", "normal"}}}});
  }

  /// The terminal's buffer, one line per row, trailing blanks trimmed.
  std::string buffer_text() {
    const auto v = eval(
        "(() => { const b = window.vmterm.term.buffer.active; const out = [];"
        " for (let i = 0; i < b.length; i++) out.push(b.getLine(i).translateToString(true));"
        " return out.join('\\n').trimEnd(); })()");
    return v.is_string() ? v.get<std::string>() : std::string{};
  }

 private:
  cdp_client& cdp_;
  std::string target_;
  std::string session_;
};

/// JavaScript: does a row of the terminal's buffer read exactly `line`?
std::string has_line(const std::string& line) {
  return "(() => { const b = window.vmterm.term.buffer.active;"
         " for (let i = 0; i < b.length; i++)"
         "  if (b.getLine(i).translateToString(true) === " +
         json(line).dump() +
         ") return true;"
         " return false; })()";
}

int number(page& p, const std::string& expression) {
  const auto v = p.eval(expression);
  return v.is_number() ? v.get<int>() : -1;
}

}  // namespace

TEST_CASE("The page in Chromium logs in, runs a command and follows a window resize",
          "[integration][browser]") {
  serve_fixture serve;
  REQUIRE(wait_until([&] { return !serve.login_url().empty(); }, 5s));
  const auto url = serve.login_url();
  INFO("login URL printed: " << url.substr(0, url.find("token=")) << "token=...");
  REQUIRE(url.starts_with("http://127.0.0.1:" + std::to_string(serve.service.port) + "/"));
  REQUIRE(url.find("token=") != std::string::npos);

  chromium_process chromium(1000, 700);
  cdp_client cdp(chromium.devtools_port(), chromium.browser_path());
  page tab(cdp, url);

  // The login URL swaps the token for a cookie and redirects to a URL without it.
  REQUIRE(tab.wait_for("!!window.vmterm && window.vmterm.state === 'connected'", 20s));
  CHECK(tab.eval("location.search") == "");
  CHECK(tab.eval("document.getElementById('state').textContent") == "connected");
  REQUIRE(tab.wait_for("window.vmterm.received > 0"));  // the prompt

  tab.type_line("echo vmterm-$((6*7))");
  const bool echoed = tab.wait_for(has_line("vmterm-42"));
  INFO("terminal:\n" << tab.buffer_text());
  REQUIRE(echoed);
  // What is drawn, not only what xterm.js holds: the rows in the DOM (drawn on the next
  // animation frame, so wait for them too).
  CHECK(
      tab.wait_for("document.querySelector('.xterm-rows').textContent.includes('vmterm-42')", 5s));

  const int cols = number(tab, "window.vmterm.term.cols");
  const int rows = number(tab, "window.vmterm.term.rows");
  REQUIRE(cols > 20);
  REQUIRE(rows > 5);
  tab.type_line("stty size");
  const auto before = std::to_string(rows) + " " + std::to_string(cols);
  const bool sized = tab.wait_for(has_line(before));
  INFO("terminal:\n" << tab.buffer_text());
  REQUIRE(sized);

  tab.resize_window(640, 400);
  REQUIRE(tab.wait_for("window.vmterm.term.cols < " + std::to_string(cols) +
                       " && window.vmterm.term.rows < " + std::to_string(rows)));
  const int cols2 = number(tab, "window.vmterm.term.cols");
  const int rows2 = number(tab, "window.vmterm.term.rows");
  tab.type_line("clear; stty size");
  const auto after = std::to_string(rows2) + " " + std::to_string(cols2);
  const bool resized = tab.wait_for(has_line(after));
  INFO("before " << before << ", after " << after << "; terminal:\n" << tab.buffer_text());
  REQUIRE(resized);

  CHECK(tab.eval("document.getElementById('state').dataset.state") == "connected");
  CHECK(tab.eval("document.getElementById('state').textContent") == "connected");
  try {
    cdp.call("Browser.close");
  } catch (const std::exception&) {
    // It may close the connection before it answers; the fixture stops it either way.
  }
  (void)chromium.wait_exit(10s);
}

}  // namespace vmterm::test
