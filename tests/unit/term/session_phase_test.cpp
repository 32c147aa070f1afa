// The terminal session's lifecycle: the table of allowed changes, and the phases a real session
// (driven without a socket) goes through.

#include "term/detail/session_phase.hpp"

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <set>
#include <utility>
#include <vector>

#include "term/detail/session_id.hpp"

using namespace vmterm::term;
using p = session_phase;

namespace {
const std::vector<p> all = {p::created, p::running, p::exited, p::ending, p::ended, p::gone};
}  // namespace

TEST_CASE("the lifecycle allows exactly the changes of its table", "[term][phase]") {
  const std::set<std::pair<p, p>> allowed = {
      {p::created, p::running}, {p::created, p::ended}, {p::running, p::exited},
      {p::running, p::ending},  {p::exited, p::ended},  {p::ending, p::ended},
      {p::ended, p::gone},
  };
  for (const auto from : all) {
    for (const auto to : all) {
      INFO(phase_name(from) << " -> " << phase_name(to));
      CHECK(phase_change_allowed(from, to) == (allowed.count({from, to}) == 1));
    }
  }
}

TEST_CASE("every phase leads to gone, and gone leads nowhere", "[term][phase]") {
  for (const auto start : all) {
    std::set<p> seen{start};
    std::vector<p> todo{start};
    while (!todo.empty()) {
      const auto at = todo.back();
      todo.pop_back();
      for (const auto to : all) {
        if (phase_change_allowed(at, to) && seen.insert(to).second) todo.push_back(to);
      }
    }
    INFO(phase_name(start));
    CHECK(seen.count(p::gone) == 1);
  }
  CHECK(phase_is_over(p::ending));
  CHECK(phase_is_over(p::ended));
  CHECK_FALSE(phase_is_over(p::exited));  // its exit message still waits for the client
  CHECK(phase_backend_live(p::ending));   // drains to its exit
  CHECK_FALSE(phase_backend_live(p::exited));
}

namespace {
int calls = 0;
ssize_t failing_source(void*, std::size_t, unsigned int) {
  ++calls;
  errno = EIO;
  return -1;
}
ssize_t interrupted_once(void* buffer, std::size_t length, unsigned int) {
  if (calls++ == 0) {
    errno = EINTR;
    return -1;
  }
  std::memset(buffer, 0xab, length);
  return static_cast<ssize_t>(length);
}
}  // namespace

TEST_CASE("a session id is 128 random bits in hex; a source that keeps failing is given up on",
          "[term][session_id]") {
  calls = 0;
  auto id = detail::new_session_id(&interrupted_once);
  REQUIRE(id);
  CHECK(*id == "abababababababababababababababab");
  calls = 0;
  id = detail::new_session_id(&failing_source);
  REQUIRE_FALSE(id);
  CHECK(id.error().message == "cannot make a session id: getrandom: Input/output error");
  CHECK(calls == detail::random_attempts);
}
