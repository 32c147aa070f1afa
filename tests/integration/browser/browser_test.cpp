// vmterm-serve's page in headless Chromium, driven over the Chrome DevTools Protocol: log in
// with the printed URL, type a command, read its output from the terminal's rows, resize the
// window and see the shell follow, and read the status bar.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>
#include <vector>

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
/// prints the login URL holding it, as a user starting it by hand sees. restart() stops it
/// (SIGTERM) and starts it again on the same port: a new token, sessions and logins gone.
struct serve_fixture {
  temp_dir dir{"vmterm-browser"};
  std::vector<std::string> extra;
  started_service service;
  int starts = 1;

  explicit serve_fixture(std::vector<std::string> args = {}) : extra(std::move(args)) {
    service = start_service({
        .name = "vmterm-serve",
        .command = [&](std::uint16_t port) { return options(port); },
        .ready = [](std::uint16_t port) { return healthy(port); },
        .log = log(),
    });
  }

  [[nodiscard]] std::filesystem::path log() const {
    return dir / ("serve-" + std::to_string(starts) + ".log");
  }

  [[nodiscard]] spawn_options options(std::uint16_t port) const {
    std::vector<std::string> argv{(bin_dir() / "vmterm-serve").string(), "--listen",
                                  "127.0.0.1:" + std::to_string(port), "--command",
                                  "bash --norc --noprofile"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return spawn_options{
        .argv = std::move(argv),
        .env = {{"VMTERM_TOKEN", std::nullopt},
                {"VMTERM_TOKEN_FILE", std::nullopt},
                {"HISTFILE", ""}},
        .cwd = dir.path(),
        .stdout_file = log(),
        .stderr_file = log(),
    };
  }

  static bool healthy(std::uint16_t port) {
    const auto reply = tcp_exchange(
        port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 12);
    return reply && reply->starts_with("HTTP/1.1 200");
  }

  void restart() {
    service.process->signal(SIGTERM);
    REQUIRE(wait_until([&] { return !service.process->running(); }, 15s));
    ++starts;
    service.process = std::make_unique<child_process>(options(service.port));
    REQUIRE(wait_until([&] { return healthy(service.port); }, 20s));
  }

  /// The login URL vmterm-serve printed on stderr; "" when it printed none.
  [[nodiscard]] std::string login_url() const {
    std::smatch m;
    const auto text = read_file(log());
    static const std::regex line(R"(vmterm-serve: open (http://\S+))");
    return std::regex_search(text, m, line) ? m[1].str() : std::string{};
  }

  [[nodiscard]] std::string wait_login_url() const {
    REQUIRE(wait_until([&] { return !login_url().empty(); }, 5s));
    return login_url();
  }

  [[nodiscard]] std::string origin() const {
    return "http://127.0.0.1:" + std::to_string(service.port);
  }
};

/// Runs in every document before its own scripts (CDP is not subject to the page's CSP):
/// records each Content-Security-Policy violation the page causes.
constexpr const char* record_csp_violations =
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation', (e) => window.__csp.push("
    " e.violatedDirective + ' ' + (e.blockedURI || '') + ' at ' + (e.sourceFile || '') + ':' +"
    " e.lineNumber + ' ' + (e.sample || '')));";

/// One tab, attached in flatten mode, recording CSP violations from its first document on.
class page {
 public:
  page(cdp_client& cdp, const std::string& url) : cdp_(cdp) {
    target_ = cdp_.call("Target.createTarget", {{"url", "about:blank"}})["targetId"];
    session_ =
        cdp_.call("Target.attachToTarget", {{"targetId", target_}, {"flatten", true}})["sessionId"];
    cdp_.call("Page.enable", json::object(), session_);
    cdp_.call("Page.addScriptToEvaluateOnNewDocument", {{"source", record_csp_violations}},
              session_);
    navigate(url);
  }

  void navigate(const std::string& url) { cdp_.call("Page.navigate", {{"url", url}}, session_); }
  void reload() { cdp_.call("Page.reload", json::object(), session_); }

  /// Evaluates a JavaScript expression in the page and returns its value (a promise's result
  /// when it is one).
  json eval(const std::string& expression) {
    auto r = cdp_.call("Runtime.evaluate",
                       {{"expression", expression},
                        {"returnByValue", true},
                        {"awaitPromise", true},
                        {"userGesture", true}},
                       session_);
    if (r.contains("exceptionDetails")) return nullptr;
    return r["result"].value("value", json());
  }

  /// Polls a boolean expression until it holds.
  bool wait_for(const std::string& expression, std::chrono::milliseconds timeout = 15s) {
    return wait_until([&] { return eval(expression) == true; }, timeout, 50ms);
  }

  bool wait_connected(std::chrono::milliseconds timeout = 20s) {
    return wait_for("!!window.vmterm && window.vmterm.state === 'connected'", timeout);
  }

  void key(const std::string& type, const std::string& key, const std::string& code, int vk,
           int modifiers = 0, const std::string& text = {}) {
    json params{{"type", type},
                {"key", key},
                {"code", code},
                {"windowsVirtualKeyCode", vk},
                {"modifiers", modifiers}};
    if (!text.empty()) params["text"] = text;
    cdp_.call("Input.dispatchKeyEvent", params, session_);
  }

  /// Ctrl+Shift+<letter>, as a user presses it.
  void ctrl_shift(char letter) {
    constexpr int ctrl = 2;
    constexpr int shift = 8;
    const std::string upper(1, letter);
    key("rawKeyDown", upper, std::string("Key") + letter, letter, ctrl | shift);
    key("keyUp", upper, std::string("Key") + letter, letter, ctrl | shift);
  }

  void insert_text(const std::string& text) {
    (void)eval("window.vmterm.term.focus()");
    cdp_.call("Input.insertText", {{"text", text}}, session_);
  }

  void enter() {
    key("keyDown", "Enter", "Enter", 13, 0, "\r");
    key("keyUp", "Enter", "Enter", 13);
  }

  void type_line(const std::string& text) {
    if (!text.empty()) insert_text(text);
    (void)eval("window.vmterm.term.focus()");
    enter();
  }

  void drag(double x0, double y0, double x1, double y1) {
    cdp_.call("Input.dispatchMouseEvent",
              {{"type", "mousePressed"},
               {"x", x0},
               {"y", y0},
               {"button", "left"},
               {"buttons", 1},
               {"clickCount", 1}},
              session_);
    for (int i = 1; i <= 5; ++i) {
      cdp_.call("Input.dispatchMouseEvent",
                {{"type", "mouseMoved"},
                 {"x", x0 + (x1 - x0) * i / 5},
                 {"y", y0 + (y1 - y0) * i / 5},
                 {"button", "left"},
                 {"buttons", 1}},
                session_);
    }
    cdp_.call("Input.dispatchMouseEvent",
              {{"type", "mouseReleased"},
               {"x", x1},
               {"y", y1},
               {"button", "left"},
               {"buttons", 0},
               {"clickCount", 1}},
              session_);
  }

  void resize_window(int width, int height) {
    const auto window = cdp_.call("Browser.getWindowForTarget", {{"targetId", target_}});
    cdp_.call("Browser.setWindowBounds",
              {{"windowId", window["windowId"]},
               {"bounds", {{"width", width}, {"height", height}, {"windowState", "normal"}}}});
  }

  void emulate_width(int width, int height) {
    cdp_.call("Emulation.setDeviceMetricsOverride",
              {{"width", width}, {"height", height}, {"deviceScaleFactor", 1}, {"mobile", false}},
              session_);
  }
  void stop_emulating() {
    cdp_.call("Emulation.clearDeviceMetricsOverride", json::object(), session_);
  }

  /// The terminal's buffer, one line per row, trailing blanks trimmed.
  std::string buffer_text() {
    const auto v = eval(
        "(() => { const b = window.vmterm.term.buffer.active; const out = [];"
        " for (let i = 0; i < b.length; i++) out.push(b.getLine(i).translateToString(true));"
        " return out.join('\\n').trimEnd(); })()");
    return v.is_string() ? v.get<std::string>() : std::string{};
  }

  /// The CSP violations recorded so far, one per line.
  std::string csp_violations() {
    const auto v = eval("(window.__csp || ['(the recorder did not run)']).join('\\n')");
    return v.is_string() ? v.get<std::string>() : std::string("(no answer)");
  }

  std::string text(const std::string& expression) {
    const auto v = eval(expression);
    return v.is_string() ? v.get<std::string>() : std::string{};
  }

  [[nodiscard]] const std::string& target() const noexcept { return target_; }

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

/// Runs `command` in the tab's shell and waits for a line reading `expect`.
bool run(page& tab, const std::string& command, const std::string& expect) {
  tab.type_line(command);
  const bool ok = tab.wait_for(has_line(expect));
  if (!ok) UNSCOPED_INFO("after `" << command << "`, terminal:\n" << tab.buffer_text());
  return ok;
}

void close_browser(cdp_client& cdp, chromium_process& chromium) {
  try {
    cdp.call("Browser.close");
  } catch (const std::exception&) {
    // It may close the connection before it answers; the fixture stops it either way.
  }
  (void)chromium.wait_exit(10s);
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
  // The title names what runs; the icon is there (no 404).
  CHECK(tab.wait_for("document.title === 'vmterm \\u2014 bash --norc --noprofile'", 5s));
  CHECK(tab.eval("fetch('favicon.svg').then((r) => r.status)") == 200);
  const auto violations = tab.csp_violations();
  INFO("CSP violations:\n" << violations);
  CHECK(violations.empty());
  close_browser(cdp, chromium);
}

TEST_CASE("In Chromium, Ctrl+Shift+V pastes once, Ctrl+Shift+C copies, neither reaches the browser",
          "[integration][browser]") {
  serve_fixture serve;
  const auto url = serve.wait_login_url();
  chromium_process chromium(1000, 700);
  cdp_client cdp(chromium.devtools_port(), chromium.browser_path());
  cdp.call("Browser.grantPermissions",
           {{"origin", serve.origin()},
            {"permissions", {"clipboardReadWrite", "clipboardSanitizedWrite"}}});
  page tab(cdp, url);
  REQUIRE(tab.wait_connected());
  REQUIRE(tab.wait_for("window.vmterm.received > 0"));
  // Whether the browser's own action for each key was prevented, seen after the page's handlers.
  (void)tab.eval(
      "window.__keys = []; window.addEventListener('keydown', (e) => {"
      " if (e.ctrlKey && e.shiftKey) window.__keys.push(e.code + ':' + e.defaultPrevented); })");

  REQUIRE(tab.eval("navigator.clipboard.writeText('XYZ').then(() => true)") == true);
  tab.insert_text("echo \"[");
  tab.ctrl_shift('V');
  // The paste is asynchronous (clipboard read): wait until it is on the command line.
  CHECK(tab.wait_for(
      "window.vmterm.term.buffer.active.getLine("
      "window.vmterm.term.buffer.active.cursorY + "
      "window.vmterm.term.buffer.active.baseY).translateToString(true).includes('XYZ')",
      5s));
  tab.insert_text("]\"");
  CHECK(run(tab, "", "[XYZ]"));
  CHECK_FALSE(tab.eval(has_line("[XYZXYZ]")) == true);

  // Copy: select the output line with the mouse, Ctrl+Shift+C.
  REQUIRE(run(tab, "clear; echo copy-$((3*3))-me", "copy-9-me"));
  (void)tab.eval("window.vmterm.term.selectAll()");
  tab.ctrl_shift('C');
  CHECK(tab.wait_for("navigator.clipboard.readText().then((t) => t.includes('copy-9-me'))", 5s));
  CHECK(tab.eval("window.__keys.join(' ')") == "KeyV:true KeyC:true");
  const auto violations = tab.csp_violations();
  INFO("CSP violations:\n" << violations);
  CHECK(violations.empty());
  close_browser(cdp, chromium);
}

TEST_CASE("In Chromium, a mouse selection keeps to the Content-Security-Policy",
          "[integration][browser]") {
  serve_fixture serve;
  chromium_process chromium(1000, 700);
  cdp_client cdp(chromium.devtools_port(), chromium.browser_path());
  page tab(cdp, serve.wait_login_url());
  REQUIRE(tab.wait_connected());
  // Coloured output too: 256-colour and true-colour cells, which xterm.js styles per cell.
  REQUIRE(run(tab,
              "printf '\\e[38;5;202mplain\\e[0m \\e[38;2;10;200;30mtrue-colour\\e[0m "
              "\\e[48;2;90;0;0mbg\\e[0m\\n'; echo select-$((5*5))",
              "select-25"));
  const auto box = tab.eval(
      "(() => { const r = document.querySelector('.xterm-screen').getBoundingClientRect();"
      " return [r.left, r.top, r.width]; })()");
  REQUIRE(box.is_array());
  const double left = box[0].get<double>();
  const double top = box[1].get<double>();
  const double cell = number(tab,
                             "Math.round(document.querySelector('.xterm-screen')"
                             ".getBoundingClientRect().height / window.vmterm.term.rows)");
  tab.drag(left + 3, top + cell / 2, left + 300, top + cell * 3.5);
  REQUIRE(tab.wait_for("window.vmterm.term.hasSelection()", 5s));
  // The selection is drawn on the next animation frame.
  REQUIRE(
      tab.wait_for("document.querySelector('.xterm-selection') !== null && "
                   "document.querySelector('.xterm-selection').children.length > 0",
                   5s));
  (void)tab.eval("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))");
  const auto violations = tab.csp_violations();
  INFO("CSP violations:\n" << violations);
  CHECK(violations.empty());
  close_browser(cdp, chromium);
}

TEST_CASE(
    "In Chromium, a window wider than the server allows gets its widest terminal, and a "
    "server error that does not end the session is shown and cleared",
    "[integration][browser]") {
  serve_fixture serve;
  chromium_process chromium(1000, 700);
  cdp_client cdp(chromium.devtools_port(), chromium.browser_path());
  page tab(cdp, serve.wait_login_url());
  REQUIRE(tab.wait_connected());
  REQUIRE(tab.wait_for("window.vmterm.received > 0"));

  tab.emulate_width(14000, 700);
  REQUIRE(tab.wait_for("window.vmterm.term.cols === 1000", 10s));
  CHECK(run(tab, "stty size", std::to_string(number(tab, "window.vmterm.term.rows")) + " 1000"));
  CHECK(tab.eval("window.vmterm.state") == "connected");
  tab.stop_emulating();
  REQUIRE(tab.wait_for("window.vmterm.term.cols < 200", 10s));
  const int cols = number(tab, "window.vmterm.term.cols");
  CHECK(run(tab, "clear; stty size",
            std::to_string(number(tab, "window.vmterm.term.rows")) + " " + std::to_string(cols)));

  // A control message the server refuses (here sent by hand) does not end anything.
  (void)tab.eval("window.vmterm.sendControl({ type: 'resize', cols: 5000, rows: 10 })");
  REQUIRE(tab.wait_for("window.vmterm.state === 'error'", 5s));
  CHECK(tab.text("document.getElementById('detail').textContent") ==
        "control message: 'cols' must be a whole number from 1 to 1000");
  CHECK(tab.wait_for("window.vmterm.state === 'connected'", 10s));
  CHECK(tab.text("document.getElementById('detail').textContent").empty());
  CHECK(run(tab, "echo still-$((8*8))", "still-64"));
  const auto violations = tab.csp_violations();
  INFO("CSP violations:\n" << violations);
  CHECK(violations.empty());
  close_browser(cdp, chromium);
}

TEST_CASE(
    "In Chromium, a reload resumes the same shell, a new tab gets its own, and 'new "
    "session' and Enter after exit start new ones without holding a place",
    "[integration][browser]") {
  // Two places: one per tab. A session left waiting for a resume would take the third.
  serve_fixture serve({"--max-sessions", "2"});
  chromium_process chromium(1000, 700);
  cdp_client cdp(chromium.devtools_port(), chromium.browser_path());
  page tab(cdp, serve.wait_login_url());
  REQUIRE(tab.wait_connected());
  const auto first = tab.text("window.vmterm.session");
  REQUIRE_FALSE(first.empty());
  REQUIRE(run(tab, "X=kept-$((40+2)); echo set-$X", "set-kept-42"));

  tab.reload();
  REQUIRE(
      tab.wait_for("!!window.vmterm && window.vmterm.state === 'connected' && "
                   "window.vmterm.session !== null",
                   20s));
  CHECK(tab.text("window.vmterm.session") == first);
  // The screen comes back with the reload (replay=held): what was on it before is there again.
  CHECK(tab.wait_for(has_line("set-kept-42"), 10s));
  CHECK(run(tab, "echo got-$X", "got-kept-42"));

  // A new tab (same login): its own shell.
  page other(cdp, serve.origin() + "/");
  REQUIRE(other.wait_connected());
  CHECK(other.text("window.vmterm.session") != first);
  CHECK(run(other, "echo \"other-[$X]\"", "other-[]"));

  // "new session": a new shell in this tab; the old one ends at once (else: 1013).
  (void)tab.eval("document.getElementById('new-session').click()");
  INFO("after 'new session': "
       << tab.text("window.vmterm.state + ': ' + document.getElementById('detail').textContent")
       << "; terminal:\n"
       << tab.buffer_text());
  REQUIRE(tab.wait_for(
      "window.vmterm.state === 'connected' && window.vmterm.session !== " + json(first).dump(),
      20s));
  const auto second = tab.text("window.vmterm.session");
  CHECK(run(tab, "echo \"new-[$X]\"", "new-[]"));

  // exit, then Enter: start again.
  tab.type_line("exit 3");
  REQUIRE(tab.wait_for("window.vmterm.state === 'exited'", 10s));
  CHECK(tab.text("document.getElementById('detail').textContent") ==
        "the session ended with exit code 3; press Enter to start again");
  CHECK(tab.eval("document.getElementById('again').hidden") == false);
  tab.type_line("");
  REQUIRE(tab.wait_for(
      "window.vmterm.state === 'connected' && window.vmterm.session !== " + json(second).dump(),
      20s));
  CHECK(tab.eval("document.getElementById('again').hidden") == true);
  CHECK(run(tab, "echo again-$((2+3))", "again-5"));
  const auto violations = tab.csp_violations() + other.csp_violations();
  INFO("CSP violations:\n" << violations);
  CHECK(violations.empty());
  close_browser(cdp, chromium);
}

TEST_CASE("In Chromium, after the server restarts the page says at once to open the new login URL",
          "[integration][browser]") {
  serve_fixture serve;
  chromium_process chromium(1000, 700);
  cdp_client cdp(chromium.devtools_port(), chromium.browser_path());
  page tab(cdp, serve.wait_login_url());
  REQUIRE(tab.wait_connected());
  const auto old_url = serve.login_url();

  serve.restart();
  const auto back = std::chrono::steady_clock::now();
  REQUIRE(tab.wait_for("window.vmterm.state === 'error'", 15s));
  const auto took = std::chrono::steady_clock::now() - back;
  CHECK(tab.text("document.getElementById('detail').textContent") ==
        "the server restarted: open the new login URL (vmterm-serve prints it when it starts); "
        "the shell of this page ended with the old server");
  // At once: within the page's retry delays, not after the 60 s --resume-grace.
  CHECK(took < 6s);

  // A reload shows the 401 as a page that says where the URL is.
  tab.reload();
  REQUIRE(
      tab.wait_for("document.readyState === 'complete' && !!document.querySelector('h1')", 10s));
  CHECK(tab.text("document.title") == "vmterm: login needed");
  CHECK_THAT(tab.text("document.body.textContent"),
             Catch::Contains("A restarted vmterm-serve prints a new one."));

  const auto url = serve.wait_login_url();
  CHECK(url != old_url);
  tab.navigate(url);
  REQUIRE(tab.wait_connected());
  CHECK(run(tab, "echo new-server", "new-server"));
  const auto violations = tab.csp_violations();
  INFO("CSP violations:\n" << violations);
  CHECK(violations.empty());
  close_browser(cdp, chromium);
}

TEST_CASE("In Chromium, the read-only banner leaves the status bar and the last row in view",
          "[integration][browser]") {
  serve_fixture serve({"--readonly"});
  chromium_process chromium(1000, 700);
  cdp_client cdp(chromium.devtools_port(), chromium.browser_path());
  page tab(cdp, serve.wait_login_url());
  REQUIRE(tab.wait_connected());
  REQUIRE(tab.wait_for("!document.getElementById('banner').hidden", 5s));
  // What is laid out: the terminal's rows end above the status bar, which ends in the window.
  const std::string fits =
      "(() => { const screen = document.querySelector('.xterm-screen').getBoundingClientRect();"
      " const status = document.getElementById('status').getBoundingClientRect();"
      " const banner = document.getElementById('banner').getBoundingClientRect();"
      " const box = document.getElementById('terminal').getBoundingClientRect();"
      " return banner.height > 0 && banner.bottom <= box.top + 0.5 &&"
      "  screen.bottom <= status.top + 0.5 && status.bottom <= window.innerHeight + 0.5; })()";
  const bool fitted = tab.wait_for(fits, 5s);
  INFO("layout: " << tab.eval("JSON.stringify(['banner', 'terminal', 'status'].map((id) => "
                              "document.getElementById(id).getBoundingClientRect()).concat(["
                              "document.querySelector('.xterm-screen').getBoundingClientRect(), "
                              "window.innerHeight]))")
                         .dump());
  CHECK(fitted);
  tab.resize_window(800, 500);
  CHECK(tab.wait_for("window.vmterm.term.cols < 100", 10s));
  CHECK(tab.wait_for(fits, 5s));
  CHECK(tab.text("document.getElementById('detail').textContent") == "read-only");
  const auto violations = tab.csp_violations();
  INFO("CSP violations:\n" << violations);
  CHECK(violations.empty());
  close_browser(cdp, chromium);
}

}  // namespace vmterm::test
