// The SSH session keeps libssh2 to itself: callers (ssh_terminal, the readiness probe) use its
// typed operations and ssh::channel, never the raw handle or the socket under it.
#include <catch2/catch.hpp>

#include "ssh/detail/channel.hpp"
#include "ssh/detail/session.hpp"

namespace {

template <class T>
concept gives_raw_handle = requires(T& s) {
  s.handle();
};
template <class T>
concept gives_socket = requires(T& s) {
  s.socket();
};
template <class T>
concept gives_libssh2_error = requires(const T& s) {
  s.last_error();
};

}  // namespace

TEST_CASE("ssh::session hides its libssh2 handle and socket", "[ssh]") {
  STATIC_REQUIRE_FALSE(gives_raw_handle<vmterm::ssh::session>);
  STATIC_REQUIRE_FALSE(gives_socket<vmterm::ssh::session>);
  STATIC_REQUIRE_FALSE(gives_libssh2_error<vmterm::ssh::session>);
  STATIC_REQUIRE_FALSE(gives_raw_handle<vmterm::ssh::channel>);
}

TEST_CASE("a channel that never opened has no exit code", "[ssh]") {
  const vmterm::ssh::channel c;
  CHECK_FALSE(c.is_open());
  CHECK(c.exit_code() == -1);
}
