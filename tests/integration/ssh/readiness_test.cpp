#include "ssh/readiness.hpp"

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "ssh/errors.hpp"
#include "ssh_harness.hpp"
#include "temp_dir.hpp"

using namespace vmterm;
using namespace vmterm::test;

namespace {
std::optional<expected<void>> check(const ssh::ssh_options& o) {
  boost::asio::io_context ioc;
  std::optional<expected<void>> result;
  ssh::async_check_ready(ioc.get_executor(), o, [&](expected<void> r) { result = std::move(r); });
  ioc.run_for(std::chrono::seconds(15));
  return result;
}
}  // namespace

TEST_CASE("readiness: a reachable server with a known host key is ready", "[integration][ssh]") {
  sshd_server sshd;
  auto o = ssh_options_for(sshd);
  o.identity = "/nonexistent";  // no authentication happens
  const auto r = check(o);
  REQUIRE(r.has_value());
  CHECK(r->has_value());
}

TEST_CASE("readiness: an unknown host key is not ready, unless it would be accepted",
          "[integration][ssh]") {
  sshd_server sshd;
  temp_dir dir{"vmterm-ssh"};
  auto o = ssh_options_for(sshd);
  o.known_hosts = dir / "known_hosts";
  auto r = check(o);
  REQUIRE(r.has_value());
  REQUIRE_FALSE(r->has_value());
  CHECK(r->error().code == make_error_code(ssh::errc::host_key_unknown));
  CHECK_THAT(r->error().message, Catch::Contains(sshd.host_key_fingerprint()));
  o.accept_new_host_key = true;
  r = check(o);
  REQUIRE(r.has_value());
  CHECK(r->has_value());
  CHECK_FALSE(std::filesystem::exists(o.known_hosts));  // a probe never writes
}

TEST_CASE("readiness: a stopped server is not ready: connection refused", "[integration][ssh]") {
  sshd_server sshd;
  auto o = ssh_options_for(sshd);
  sshd.stop();
  const auto r = check(o);
  REQUIRE(r.has_value());
  REQUIRE_FALSE(r->has_value());
  CHECK(r->error().code == make_error_code(ssh::errc::refused));
}
