// vmterm-serve's HTTP side as a browser, curl and Prometheus meet it: the login URL, the
// session cookie, the bearer token, the health endpoints and the metrics.
#include <catch2/catch.hpp>

#include "serve_process.hpp"

using namespace vmterm::test;
using namespace vmterm::test::serve;

namespace {

std::string header(const vmterm::http::response& res, std::string_view name) {
  return std::string(res.headers.get(name).value_or(""));
}

/// Counts non-overlapping occurrences of `needle`.
std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("the login URL swaps the token for a session cookie and a redirect without the token",
          "[serve][auth]") {
  serve_process serve({"--command", test_command});
  REQUIRE(serve.token().size() >= 32);
  CHECK(serve.login_url() ==
        "http://127.0.0.1:" + std::to_string(serve.port()) + "/?token=" + serve.token());

  const auto login = serve.get("/?token=" + serve.token());
  CHECK(login.status == 303);
  const auto location = header(login, "Location");
  CHECK(location.find("token") == std::string::npos);
  CHECK((location == "/" || location.ends_with(":" + std::to_string(serve.port()) + "/")));
  const auto set_cookie = header(login, "Set-Cookie");
  CHECK_THAT(set_cookie, Catch::StartsWith("vmterm_session_" + std::to_string(serve.port()) + "="));
  CHECK_THAT(set_cookie, Catch::Contains("HttpOnly"));
  CHECK_THAT(set_cookie, Catch::Contains("SameSite=Strict"));
  CHECK(set_cookie.find(serve.token()) == std::string::npos);

  const auto cookie = cookie_pair(login);
  const auto page = serve.get("/", {{"Cookie", cookie}});
  CHECK(page.status == 200);
  CHECK_THAT(page.body, Catch::Contains("<title>vmterm</title>"));
  CHECK_THAT(header(page, "Content-Security-Policy"), Catch::Contains("frame-ancestors 'none'"));
  const auto script = serve.get("/app.js", {{"Cookie", cookie}});
  CHECK(script.status == 200);
  CHECK_THAT(header(script, "Content-Type"), Catch::Contains("javascript"));
  CHECK(serve.get("/vendor/xterm.mjs", {{"Cookie", cookie}}).status == 200);

  const auto wrong = serve.get("/?token=not-the-token-at-all-0000");
  CHECK(wrong.status == 401);
  CHECK(header(wrong, "Set-Cookie").empty());
}

TEST_CASE("pages need credentials: 401 with where the login URL is, and the bearer token works",
          "[serve][auth]") {
  serve_process serve({"--command", test_command});
  for (const auto* path : {"/", "/app.js", "/style.css", "/metrics"}) {
    INFO(path);
    const auto res = serve.get(path);
    CHECK(res.status == 401);
    CHECK_THAT(header(res, "WWW-Authenticate"), Catch::StartsWith("Bearer"));
  }
  CHECK_THAT(serve.get("/").body,
             Catch::Contains("open the login URL that vmterm-serve printed on its standard error "
                             "when it started"));
  CHECK(serve.get("/", {{"Cookie", "vmterm_session=forged"}}).status == 401);
  CHECK(serve.get("/", {{"Authorization", "Bearer wrong-token-wrong-token"}}).status == 401);
  const auto page = serve.get("/", {serve.bearer()});
  CHECK(page.status == 200);
  CHECK_THAT(page.body, Catch::Contains("<title>vmterm</title>"));
}

TEST_CASE("health-check, healthz and readyz answer without credentials", "[serve][health]") {
  serve_process serve({"--command", test_command});
  const auto hc = serve.get("/health-check/");
  CHECK(hc.status == 200);
  CHECK(hc.body == R"({"status":"ok"})");
  CHECK_THAT(header(hc, "Content-Type"), Catch::StartsWith("application/json"));
  const auto live = serve.get("/healthz");
  CHECK(live.status == 200);
  CHECK(live.body == "ok\n");
  const auto ready = serve.get("/readyz");
  CHECK(ready.status == 200);
  CHECK(ready.body == "ready\n");
  CHECK(serve.get("/no-such-page").status == 404);
}

TEST_CASE("readyz answers 503 with the reason when the command cannot be run", "[serve][health]") {
  serve_process serve({"--command", "/nonexistent/shell -l"});
  const auto ready = serve.get("/readyz");
  CHECK(ready.status == 503);
  CHECK(ready.body == "not ready: --command: '/nonexistent/shell' does not exist\n");
  CHECK(serve.get("/healthz").status == 200);

  serve_process not_found({"--command", "no-such-program-vmterm"});
  CHECK(not_found.get("/readyz").body ==
        "not ready: --command: 'no-such-program-vmterm' is not found in PATH\n");
}

TEST_CASE("metrics need the bearer token and pass promtool check metrics", "[serve][metrics]") {
  serve_process serve({"--command", test_command});
  (void)serve.get("/healthz");
  const auto login = serve.get("/?token=" + serve.token());
  CHECK(serve.get("/metrics", {{"Cookie", cookie_pair(login)}}).status == 401);
  const auto res = serve.get("/metrics", {serve.bearer()});
  REQUIRE(res.status == 200);
  CHECK_THAT(header(res, "Content-Type"), Catch::StartsWith("text/plain; version=0.0.4"));
  CHECK_THAT(res.body, Catch::Contains("http_server_requests_total{"));
  CHECK_THAT(res.body, Catch::Contains("route=\"/healthz\""));
  CHECK_THAT(res.body, Catch::Contains("process_resident_memory_bytes"));
  CHECK(res.body.find(serve.token()) == std::string::npos);

  const auto promtool = find_program("promtool");
  REQUIRE(promtool);
  const auto check = run({promtool->string(), "check", "metrics"}, {.input = res.body});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
}

TEST_CASE("the token appears once on stderr, in the start line, and never in the logs",
          "[serve][auth]") {
  serve_process serve({"--command", test_command, "--log-level", "debug"});
  (void)serve.get("/?token=" + serve.token());
  (void)serve.get("/", {serve.bearer()});
  (void)serve.get("/metrics", {serve.bearer()});
  const auto err = serve.stderr_text();
  CHECK(count(err, serve.token()) == 1);
  CHECK(count(err, "vmterm-serve: open ") == 1);
}

TEST_CASE("a token from a file is used and not printed", "[serve][auth]") {
  temp_dir tmp;
  const std::string token = "0123456789abcdef0123456789abcdef";
  write_file(tmp / "token", token + "\n");
  serve_process serve({"--command", test_command, "--token-file", (tmp / "token").string()});
  CHECK(serve.token().empty());
  CHECK(serve.start_line() ==
        "vmterm-serve: open http://127.0.0.1:" + std::to_string(serve.port()) +
            "/ (log in with ?token= and the token from --token-file)");
  CHECK(serve.stderr_text().find(token) == std::string::npos);
  CHECK(serve.get("/", {{"Authorization", "Bearer " + token}}).status == 200);
  CHECK(serve.get("/?token=" + token).status == 303);

  serve_process from_env({"--command", test_command}, {{"VMTERM_TOKEN", token}});
  CHECK(from_env.token().empty());
  CHECK(from_env.get("/", {{"Authorization", "Bearer " + token}}).status == 200);
}

TEST_CASE("a base path (--base-path) mounts everything below it, cookie included", "[serve]") {
  serve_process serve({"--command", test_command, "--base-path", "/vmterm"});
  CHECK(serve.login_url() ==
        "http://127.0.0.1:" + std::to_string(serve.port()) + "/vmterm/?token=" + serve.token());
  CHECK(serve.get("/vmterm/healthz").status == 200);
  CHECK(serve.get("/healthz").status == 404);
  const auto login = serve.get("/vmterm/?token=" + serve.token());
  CHECK(login.status == 303);
  CHECK_THAT(header(login, "Location"), Catch::EndsWith("/vmterm/"));
  CHECK_THAT(header(login, "Set-Cookie"), Catch::Contains("Path=/vmterm/"));
  CHECK(serve.get("/vmterm/", {{"Cookie", cookie_pair(login)}}).status == 200);
}

TEST_CASE("no auth (--no-auth) on loopback serves without a token and warns", "[serve][auth]") {
  serve_process serve({"--command", test_command, "--no-auth"});
  CHECK(serve.token().empty());
  CHECK(serve.start_line() == "vmterm-serve: open http://127.0.0.1:" +
                                  std::to_string(serve.port()) + "/ (no token: --no-auth)");
  CHECK_THAT(serve.stderr_text(),
             Catch::Contains("vmterm-serve: warning: --no-auth: anyone who can connect to "
                             "127.0.0.1:" +
                             std::to_string(serve.port()) + " gets a terminal without a token\n"));
  CHECK(serve.get("/").status == 200);
  CHECK(serve.get("/metrics").status == 200);
}

TEST_CASE("with a certificate (--tls-cert, --tls-key) it serves HTTPS and the cookie is Secure",
          "[serve][tls]") {
  temp_dir tmp;
  const auto cert = (tmp / "cert.pem").string();
  const auto key = (tmp / "key.pem").string();
  const auto made = run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                         "-keyout", key, "-out", cert});
  REQUIRE(made.exit_code == 0);
  serve_process serve({"--command", test_command, "--tls-cert", cert, "--tls-key", key});
  CHECK(serve.login_url() ==
        "https://127.0.0.1:" + std::to_string(serve.port()) + "/?token=" + serve.token());
  CHECK(serve.get("/healthz").status == 200);
  const auto login = serve.get("/?token=" + serve.token());
  CHECK(login.status == 303);
  CHECK_THAT(header(login, "Set-Cookie"), Catch::Contains("Secure"));

  // A key that is not a key: exit 2 naming the flag and the file.
  write_file(tmp / "bad.pem", "not a key\n");
  const auto bad = run_tool(
      "vmterm-serve",
      {"--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", (tmp / "bad.pem").string()},
      {.env = {{"OTEL_TRACES_EXPORTER", "none"}}, .timeout = std::chrono::seconds(20)});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "vmterm-serve: --tls-key: TLS key '" + (tmp / "bad.pem").string() +
                       "': not a PEM private key\n");
}
