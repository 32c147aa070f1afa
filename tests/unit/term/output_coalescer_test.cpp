#include "term/output_coalescer.hpp"

#include <catch2/catch.hpp>

using vmterm::term::output_coalescer;
using kind = output_coalescer::decision::kind;
using namespace std::chrono_literals;

TEST_CASE("output after a quiet moment is sent at once", "[term][coalescer]") {
  output_coalescer c(64 << 10, 2ms);
  const auto t0 = output_coalescer::clock::now();
  CHECK(c.decide(0, t0).what == kind::idle);
  const auto d = c.decide(5, t0);
  CHECK(d.what == kind::send);
  CHECK(d.bytes == 5);
  c.sent(t0);
  // Much later (an echo after typing): at once again.
  CHECK(c.decide(1, t0 + 50ms).what == kind::send);
}

TEST_CASE("a busy stream waits for the delay unless a full frame is ready", "[term][coalescer]") {
  output_coalescer c(1000, 2ms);
  const auto t0 = output_coalescer::clock::now();
  c.sent(t0);
  auto d = c.decide(10, t0 + 500us);
  CHECK(d.what == kind::wait);
  CHECK(d.until == t0 + 2ms);
  d = c.decide(999, t0 + 500us);
  CHECK(d.what == kind::wait);
  d = c.decide(1000, t0 + 500us);
  CHECK(d.what == kind::send);
  CHECK(d.bytes == 1000);
  d = c.decide(5000, t0 + 500us);  // never more than a frame
  CHECK(d.bytes == 1000);
  d = c.decide(10, t0 + 2ms);
  CHECK(d.what == kind::send);
  CHECK(d.bytes == 10);
}
