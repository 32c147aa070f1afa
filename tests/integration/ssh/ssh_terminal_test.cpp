#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "ssh_harness.hpp"

using namespace vmterm;
using namespace vmterm::test;

namespace {
/// Resident set size in KiB, from /proc/self/statm.
long rss_kib() {
  std::ifstream in("/proc/self/statm");
  long size = 0, resident = 0;
  in >> size >> resident;
  return resident * (::sysconf(_SC_PAGESIZE) / 1024);
}
}  // namespace

TEST_CASE("a command runs over SSH and its output and exit status arrive", "[integration][ssh]") {
  sshd_server sshd;
  auto o = ssh_options_for(sshd);
  o.command = "echo vmterm-$((6*7)); id -un";
  ssh_harness h(o);
  h.start();
  REQUIRE(h.wait_exit());
  INFO("reason: " << h.reason << "\nsshd log:\n" << sshd.log());
  CHECK(h.code == 0);
  CHECK(h.reason.empty());
  CHECK(h.ready);
  CHECK(h.exits == 1);
  CHECK_THAT(h.out, Catch::Contains("vmterm-42\r\n" + sshd.user()));
  CHECK(h.term->connect_duration() > std::chrono::nanoseconds(0));
}

TEST_CASE("the remote exit status comes back: exit 3 is 3", "[integration][ssh]") {
  sshd_server sshd;
  auto o = ssh_options_for(sshd);
  o.command = "exit 3";
  ssh_harness h(o);
  h.start();
  REQUIRE(h.wait_exit());
  INFO("reason: " << h.reason);
  CHECK(h.code == 3);
}

TEST_CASE("a remote command killed by a signal exits with 128 plus the signal",
          "[integration][ssh]") {
  sshd_server sshd;
  auto o = ssh_options_for(sshd);
  o.command = "kill -TERM $$; sleep 5";
  ssh_harness h(o);
  h.start();
  REQUIRE(h.wait_exit());
  INFO("reason: " << h.reason);
  CHECK(h.code == 128 + 15);
}

TEST_CASE("the login shell gets an xterm-256color PTY at the start size, and resizes",
          "[integration][ssh]") {
  sshd_server sshd;
  ssh_harness h(ssh_options_for(sshd));
  h.start({100, 30});
  REQUIRE(h.run_until([&] { return h.ready || h.code.has_value(); }));
  INFO("reason: " << h.reason << "\nsshd log:\n" << sshd.log());
  REQUIRE(h.ready);
  h.term->write("echo T=$TERM; stty size\n");
  CHECK(h.wait_output("30 100"));
  CHECK(h.wait_output("T=xterm-256color"));
  h.term->resize({120, 40});
  h.term->write("stty size; exit 3\n");
  CHECK(h.wait_output("40 120"));
  REQUIRE(h.wait_exit());
  CHECK(h.code == 3);
}

TEST_CASE("input typed before the session is up is sent once it is", "[integration][ssh]") {
  sshd_server sshd;
  ssh_harness h(ssh_options_for(sshd));
  h.start();
  h.term->write("echo early-$((1+1))\n");
  h.term->write("exit\n");
  REQUIRE(h.wait_exit());
  CHECK_THAT(h.out, Catch::Contains("early-2"));
  CHECK(h.code == 0);
}

TEST_CASE("close hangs up a running session and on_exit follows once", "[integration][ssh]") {
  sshd_server sshd;
  auto o = ssh_options_for(sshd);
  o.command = "sleep 60";
  ssh_harness h(o);
  h.start();
  REQUIRE(h.run_until([&] { return h.ready || h.code.has_value(); }));
  REQUIRE(h.ready);
  const auto t0 = std::chrono::steady_clock::now();
  h.term->close();
  h.term->close();
  REQUIRE(h.wait_exit(std::chrono::seconds(5)));
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(4));
  CHECK(h.reason.empty());
  h.run_until([] { return false; }, std::chrono::milliseconds(100));
  CHECK(h.exits == 1);
}

TEST_CASE("a killed sshd ends the session promptly with a reason, not a hang",
          "[integration][ssh]") {
  sshd_server sshd;
  auto o = ssh_options_for(sshd);
  o.command = "sleep 60";
  ssh_harness h(o);
  h.start();
  REQUIRE(h.run_until([&] { return h.ready || h.code.has_value(); }));
  REQUIRE(h.ready);
  sshd.stop();
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(h.wait_exit(std::chrono::seconds(5)));
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(3));
  CHECK(h.code == -1);
  CHECK_THAT(h.reason, Catch::StartsWith("ssh '" + sshd.user() + "@127.0.0.1:" +
                                         std::to_string(sshd.port()) + "': connection lost"));
}

TEST_CASE("pause stalls a remote producer with bounded memory, and resume continues",
          "[integration][ssh]") {
  sshd_server sshd;
  auto o = ssh_options_for(sshd);
  o.command = "yes";
  ssh_harness h(o);
  h.start();
  REQUIRE(h.run_until([&] { return h.bytes > (4u << 20) || h.code.has_value(); }));
  REQUIRE_FALSE(h.code.has_value());
  h.out.clear();  // keep the test's own memory flat
  h.term->pause();
  const auto paused_at = h.bytes;
  const long rss_before = rss_kib();
  h.run_until([] { return false; }, std::chrono::seconds(2));
  const auto growth = h.bytes - paused_at;
  INFO("bytes after pause: " << growth << ", RSS growth KiB: " << rss_kib() - rss_before);
  CHECK(growth == 0);  // pause() is synchronous here: no chunk was in flight
  CHECK(rss_kib() - rss_before < 16 * 1024);
  h.term->resume();
  REQUIRE(h.run_until([&] { return h.bytes > paused_at + (4u << 20) || h.code.has_value(); }));
  CHECK_FALSE(h.code.has_value());
  h.term->close();
  REQUIRE(h.wait_exit());
}

TEST_CASE("keepalives go out during a quiet session without disturbing it", "[integration][ssh]") {
  sshd_server sshd;
  auto o = ssh_options_for(sshd);
  o.keepalive = std::chrono::seconds(1);
  o.command = "sleep 2.5; echo still-here";
  ssh_harness h(o);
  h.start();
  REQUIRE(h.wait_exit());
  INFO("reason: " << h.reason);
  CHECK(h.code == 0);
  CHECK_THAT(h.out, Catch::Contains("still-here"));
}

TEST_CASE("a server that stops answering is declared lost after three silent keepalives",
          "[integration][ssh]") {
  sshd_server sshd;
  auto o = ssh_options_for(sshd);
  o.keepalive = std::chrono::seconds(1);
  o.command = "sleep 60";
  ssh_harness h(o);
  h.start();
  REQUIRE(h.run_until([&] { return h.ready || h.code.has_value(); }));
  REQUIRE(h.ready);
  sshd.freeze_sessions();  // the connection stays open; nothing answers
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(h.wait_exit(std::chrono::seconds(10)));
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(6));
  CHECK(h.code == -1);
  CHECK_THAT(h.reason, Catch::Contains("connection lost: no answer from the server for "));
  CHECK_THAT(h.reason, Catch::EndsWith(" s (3 keepalives); the host or the network is down"));
  sshd.stop();
}
