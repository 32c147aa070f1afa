// The /metrics endpoint's refusals: the library's own words, and a tool's flags when it passes
// them (vmterm-worker and vmterm-beat do).
#include "http/metrics_endpoint.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <string>

using namespace vmterm;

TEST_CASE("metrics on a non-loopback address without a token: named in the tool's words",
          "[http][metrics_endpoint]") {
  boost::asio::io_context ioc;
  metrics::registry registry;
  http::metrics_endpoint_options o;
  o.listen = "0.0.0.0:0";
  auto neutral = http::metrics_endpoint::start(ioc, registry, o);
  REQUIRE_FALSE(neutral);
  CHECK(neutral.error().message ==
        "metrics listen address '0.0.0.0:0': metrics on a non-loopback address need a token; "
        "give the endpoint a bearer token");
  o.flag = "--metrics-listen";
  o.token_advice = "give --token-file or VMTERM_TOKEN";
  auto tool = http::metrics_endpoint::start(ioc, registry, o);
  REQUIRE_FALSE(tool);
  CHECK(tool.error().message ==
        "--metrics-listen '0.0.0.0:0': metrics on a non-loopback address need a token; give "
        "--token-file or VMTERM_TOKEN");
  o.listen = "nowhere";
  o.flag = "--m";
  auto bad = http::metrics_endpoint::start(ioc, registry, o);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.starts_with("--m: "));
}

TEST_CASE("a token file is named as the caller says, with the fix", "[http][metrics_endpoint]") {
  auto missing = http::read_token_file("/nonexistent/token");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message ==
        "token file '/nonexistent/token': no such file or directory; write the token into the "
        "file");
  const std::string path = "metrics_endpoint_test.token";
  { std::ofstream(path) << "\n"; }
  auto empty = http::read_token_file(path, "--token-file");
  REQUIRE_FALSE(empty);
  CHECK(empty.error().message ==
        "--token-file '" + path + "': its first line is empty; write the token into the file");
  { std::ofstream(path) << "  s3cret \nignored\n"; }
  auto ok = http::read_token_file(path, "--token-file");
  REQUIRE(ok);
  CHECK(*ok == "s3cret");
  std::remove(path.c_str());
}
