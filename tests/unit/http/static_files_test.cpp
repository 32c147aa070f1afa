#include "http/static_files.hpp"

#include <array>
#include <catch2/catch.hpp>

using namespace vmterm::http;

namespace {

constexpr std::array<vmterm::embedded_file, 2> files{{
    {"index.html", "text/html; charset=utf-8", "\"0123456789abcdef\"", "<!doctype html>"},
    {"app.js", "text/javascript; charset=utf-8", "\"fedcba9876543210\"", "console.log(1)"},
}};

}  // namespace

TEST_CASE("Embedded files are served with type, ETag and Cache-Control", "[http]") {
  request req;
  const response res = serve_file(files[1], req);
  CHECK(res.status == 200);
  CHECK(res.body == "console.log(1)");
  CHECK(res.headers.get("Content-Type") == "text/javascript; charset=utf-8");
  CHECK(res.headers.get("ETag") == "\"fedcba9876543210\"");
  CHECK(res.headers.get("Cache-Control") == "no-cache");
}

TEST_CASE("A matching If-None-Match gives 304 without a body", "[http]") {
  request req;
  req.headers.add("If-None-Match", "\"other\", W/\"fedcba9876543210\"");
  const response res = serve_file(files[1], req, "max-age=60");
  CHECK(res.status == 304);
  CHECK(res.body.empty());
  CHECK(res.headers.get("Cache-Control") == "max-age=60");
  req.headers.set("If-None-Match", "\"other\"");
  CHECK(serve_file(files[1], req).status == 200);
}

TEST_CASE("The embedded files handler serves by the path below the prefix and an index", "[http]") {
  const handler h = embedded_files_handler(files, "index.html");
  request req;
  request_context ctx;
  ctx.rest = "app.js";
  CHECK(h(req, ctx).body == "console.log(1)");
  ctx.rest = "";
  CHECK(h(req, ctx).body == "<!doctype html>");
  ctx.rest = "missing.css";
  CHECK(h(req, ctx).status == 404);
}

TEST_CASE("Accept-Encoding allows gzip by name or by *, unless its weight is zero", "[http]") {
  CHECK(accepts_gzip("gzip"));
  CHECK(accepts_gzip("deflate, gzip, br"));
  CHECK(accepts_gzip("GZIP;q=0.5"));
  CHECK(accepts_gzip("x-gzip"));
  CHECK(accepts_gzip("*"));
  CHECK(accepts_gzip("br;q=1.0, gzip;q=0.8, *;q=0.1"));
  CHECK_FALSE(accepts_gzip(""));
  CHECK_FALSE(accepts_gzip("identity"));
  CHECK_FALSE(accepts_gzip("br, deflate"));
  CHECK_FALSE(accepts_gzip("gzip;q=0"));
  CHECK_FALSE(accepts_gzip("gzip; q=0.000, *"));
  CHECK_FALSE(accepts_gzip("*;q=0"));
  CHECK_FALSE(accepts_gzip("gzipped"));
}

TEST_CASE("A file's gzip form goes to clients that accept it, with its own ETag", "[http]") {
  const vmterm::embedded_file file{"app.js", "text/javascript; charset=utf-8",
                                   "\"fedcba9876543210\"", "console.log(1)", "\x1f\x8b-gz"};
  request req;
  auto res = serve_file(file, req);
  CHECK(res.body == "console.log(1)");
  CHECK_FALSE(res.headers.contains("Content-Encoding"));
  CHECK(res.headers.get("Vary") == "Accept-Encoding");
  CHECK(res.headers.get("ETag") == "\"fedcba9876543210\"");

  req.headers.add("Accept-Encoding", "gzip, deflate");
  res = serve_file(file, req);
  CHECK(res.status == 200);
  CHECK(res.body == "\x1f\x8b-gz");
  CHECK(res.headers.get("Content-Encoding") == "gzip");
  CHECK(res.headers.get("Content-Type") == "text/javascript; charset=utf-8");
  CHECK(res.headers.get("ETag") == "\"fedcba9876543210-gzip\"");

  req.headers.add("If-None-Match", "\"fedcba9876543210-gzip\"");
  res = serve_file(file, req);
  CHECK(res.status == 304);
  CHECK(res.body.empty());
  // The other form's tag does not validate this one.
  req.headers.set("If-None-Match", "\"fedcba9876543210\"");
  CHECK(serve_file(file, req).status == 200);
  // A file without a gzip form does not vary.
  CHECK_FALSE(serve_file(files[1], req).headers.contains("Vary"));
}
