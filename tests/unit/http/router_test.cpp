#include "http/router.hpp"

#include <catch2/catch.hpp>
#include <stdexcept>

using namespace vmterm::http;

namespace {

handler body_handler(std::string body) {
  return [body](const request&, const request_context&) {
    response r = text_response(200, body);
    return r;
  };
}

router sample(std::string_view base = "/") {
  router r(base);
  r.add("GET", "/", body_handler("page"));
  r.add("GET", "/static/*", body_handler("static"));
  r.add("GET", "/static/special.js", body_handler("special"));
  r.add("POST", "/api", body_handler("posted"));
  r.add("PUT", "/api", body_handler("put"));
  return r;
}

response run(const router& r, std::string method, std::string path) {
  request req;
  req.method = method;
  req.url = path;
  request_context ctx;
  ctx.path = path;
  const auto m = r.match(method, path);
  ctx.route = m.route;
  ctx.rest = m.rest;
  return r.dispatch(m, req, ctx);
}

}  // namespace

TEST_CASE("The router matches exact paths and prefixes by method", "[http]") {
  const router r = sample();
  auto m = r.match("GET", "/");
  CHECK(m.result == route_match::kind::handled);
  CHECK(m.route == "/");
  m = r.match("GET", "/static/app/main.js");
  CHECK(m.result == route_match::kind::handled);
  CHECK(m.route == "/static/*");
  CHECK(m.rest == "app/main.js");
  CHECK(run(r, "GET", "/static/special.js").body == "special");
  CHECK(run(r, "POST", "/api").body == "posted");
}

TEST_CASE("The router answers 404 for unknown paths and 405 with Allow for other methods",
          "[http]") {
  const router r = sample();
  CHECK(r.match("GET", "/nope").result == route_match::kind::not_found);
  CHECK(r.match("GET", "/nope").route.empty());
  CHECK(run(r, "GET", "/nope").status == 404);
  const auto m = r.match("DELETE", "/api");
  CHECK(m.result == route_match::kind::method_not_allowed);
  CHECK(m.route == "/api");
  const response res = run(r, "DELETE", "/api");
  CHECK(res.status == 405);
  CHECK(res.headers.get("Allow") == "POST, PUT");
  CHECK(run(r, "POST", "/").headers.get("Allow") == "GET, HEAD");
}

TEST_CASE("The router serves HEAD with the GET handler and no body", "[http]") {
  const router r = sample();
  const response res = run(r, "HEAD", "/");
  CHECK(res.status == 200);
  CHECK(res.body.empty());
  CHECK(res.headers.get("Content-Length") == "4");
}

TEST_CASE("The router mounts every route under the base path and redirects the bare mount",
          "[http]") {
  const router r = sample("/vmterm");
  CHECK(r.base_path() == "/vmterm/");
  CHECK(run(r, "GET", "/vmterm/").body == "page");
  CHECK(r.match("GET", "/vmterm/static/x.css").route == "/vmterm/static/*");
  CHECK(run(r, "GET", "/").status == 404);
  CHECK(run(r, "GET", "/static/x.css").status == 404);
  const response res = run(r, "GET", "/vmterm");
  CHECK(res.status == 308);
  CHECK(res.headers.get("Location") == "/vmterm/");
}

TEST_CASE("The router rejects bad patterns, bad base paths and duplicate routes", "[http]") {
  router r;
  r.add("GET", "/a", body_handler("a"));
  CHECK_THROWS_AS(r.add("GET", "/a", body_handler("b")), std::invalid_argument);
  CHECK_THROWS_AS(r.add("GET", "a", body_handler("b")), std::invalid_argument);
  CHECK_THROWS_WITH(router("vmterm"),
                    "base path 'vmterm' must start with '/'; give e.g. '/vmterm/'");
}

TEST_CASE("The router marks upgrade routes and answers 426 to plain requests on them", "[http]") {
  router r;
  r.add_upgrade("GET", "/ws/terminal/",
                [](const request&, const request_context&, upgraded_connection) {});
  const auto m = r.match("GET", "/ws/terminal/");
  CHECK(m.result == route_match::kind::upgrade);
  CHECK(m.upgrade_fn != nullptr);
  CHECK(run(r, "GET", "/ws/terminal/").status == 426);
}
