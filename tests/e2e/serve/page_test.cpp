// What the page's files look like on the wire: gzip when accepted, ETag and 304, the icon
// without a login, /info for the page's title and restart check, and the 401 page a browser
// gets after a restart.
#include <catch2/catch.hpp>

#include "serve_process.hpp"

using namespace vmterm::test;
using namespace vmterm::test::serve;

namespace {

std::string header(const vmterm::http::response& res, std::string_view name) {
  return std::string(res.headers.get(name).value_or(""));
}

}  // namespace

TEST_CASE("xterm.js goes out gzip-compressed to a client that accepts it, with its own ETag",
          "[serve][page]") {
  serve_process serve({"--command", test_command});
  const auto plain = serve.get("/vendor/xterm.mjs", {serve.bearer()});
  REQUIRE(plain.status == 200);
  CHECK(header(plain, "Content-Encoding").empty());
  CHECK(header(plain, "Vary") == "Accept-Encoding");
  CHECK(header(plain, "Cache-Control") == "no-cache");
  CHECK(plain.body.size() > 300000);

  const auto gz = serve.get("/vendor/xterm.mjs", {serve.bearer(), {"Accept-Encoding", "gzip, br"}});
  REQUIRE(gz.status == 200);
  CHECK(header(gz, "Content-Encoding") == "gzip");
  CHECK(header(gz, "Vary") == "Accept-Encoding");
  CHECK(header(gz, "Content-Type") == "text/javascript; charset=utf-8");
  // A gzip member (RFC 1952 magic), under a third of the size.
  REQUIRE(gz.body.size() > 2);
  CHECK(static_cast<unsigned char>(gz.body[0]) == 0x1f);
  CHECK(static_cast<unsigned char>(gz.body[1]) == 0x8b);
  CHECK(gz.body.size() * 3 < plain.body.size());
  const auto etag = header(gz, "ETag");
  CHECK(etag == header(plain, "ETag").substr(0, 17) + "-gzip\"");

  // Revalidation: the ETag of what was sent gives 304 without a body.
  const auto again = serve.get(
      "/vendor/xterm.mjs", {serve.bearer(), {"Accept-Encoding", "gzip"}, {"If-None-Match", etag}});
  CHECK(again.status == 304);
  CHECK(again.body.empty());
  CHECK(header(again, "ETag") == etag);
  const auto changed =
      serve.get("/vendor/xterm.mjs",
                {serve.bearer(), {"Accept-Encoding", "gzip"}, {"If-None-Match", "\"x\""}});
  CHECK(changed.status == 200);
  // gzip;q=0 refuses it.
  const auto refused =
      serve.get("/vendor/xterm.mjs", {serve.bearer(), {"Accept-Encoding", "gzip;q=0, *"}});
  CHECK(header(refused, "Content-Encoding").empty());
}

TEST_CASE("the page has an icon, served without a login", "[serve][page]") {
  serve_process serve({"--command", test_command});
  const auto icon = serve.get("/favicon.svg");
  CHECK(icon.status == 200);
  CHECK(header(icon, "Content-Type") == "image/svg+xml");
  CHECK_THAT(icon.body, Catch::StartsWith("<svg"));
  const auto page = serve.get("/", {serve.bearer()});
  CHECK_THAT(page.body, Catch::Contains("<link rel=\"icon\" href=\"favicon.svg\""));
}

TEST_CASE("/info names what sessions run, and answers 401 without a login and without upgrading",
          "[serve][page]") {
  serve_process serve({"--command", test_command, "--readonly"});
  const auto info = serve.get("/info", {serve.bearer()});
  CHECK(info.status == 200);
  CHECK(header(info, "Content-Type") == "application/json");
  CHECK(header(info, "Cache-Control") == "no-store");
  CHECK(info.body == R"({"readonly":true,"target":"bash --norc --noprofile"})");

  // The cookie of a login from before a restart: the name this instance uses, an unknown id.
  const auto gone = serve.get(
      "/info",
      {{"Cookie", "vmterm_session_" + std::to_string(serve.port()) + "=from-the-old-server"}});
  CHECK(gone.status == 401);
  CHECK_THAT(gone.body, Catch::Contains("a session ends when vmterm-serve restarts"));
}

TEST_CASE("a browser without a valid login gets the 401 as an HTML page saying where the URL is",
          "[serve][page]") {
  serve_process serve({"--command", test_command});
  const auto html = serve.get("/", {{"Accept", "text/html,application/xhtml+xml,*/*;q=0.8"},
                                    {"Cookie", "vmterm_session=from-the-old-server"}});
  CHECK(html.status == 401);
  CHECK(header(html, "Content-Type") == "text/html; charset=utf-8");
  CHECK_THAT(header(html, "WWW-Authenticate"), Catch::StartsWith("Bearer"));
  CHECK_THAT(html.body, Catch::StartsWith("<!doctype html>"));
  CHECK_THAT(html.body,
             Catch::Contains("open the login URL that vmterm-serve printed on its standard error "
                             "when it started"));
  CHECK_THAT(html.body, Catch::Contains("<code>vmterm-serve: open http://...</code>"));
  CHECK_THAT(html.body, Catch::Contains("A restarted vmterm-serve prints a new one."));
  CHECK(html.body.find("style=") == std::string::npos);
  CHECK(html.body.find("<script") == std::string::npos);
  // Programs still get the text.
  const auto text = serve.get("/");
  CHECK(header(text, "Content-Type") == "text/plain; charset=utf-8");
}
