#include "ports.hpp"

#include <catch2/catch.hpp>
#include <set>

using namespace vmterm::test;

TEST_CASE("free_loopback_port never hands out the same port twice", "[support]") {
  std::set<std::uint16_t> ports;
  for (int i = 0; i < 50; ++i) ports.insert(free_loopback_port());
  CHECK(ports.size() == 50);
  CHECK(*ports.begin() > 0);
}

TEST_CASE("tcp_exchange fails cleanly on a port where nothing listens", "[support]") {
  CHECK_FALSE(tcp_exchange(free_loopback_port(), "PING\r\n", 7).has_value());
}

TEST_CASE("wait_until returns as soon as the condition holds, or false at the timeout",
          "[support]") {
  int calls = 0;
  CHECK(wait_until([&] { return ++calls == 3; }, 5s, 1ms));
  CHECK(calls == 3);
  CHECK_FALSE(wait_until([] { return false; }, 50ms, 5ms));
}
