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

TEST_CASE("the first output after input goes at once, even within the delay", "[term][coalescer]") {
  output_coalescer c(1000, 2ms);
  const auto t0 = output_coalescer::clock::now();
  c.sent(t0);  // a frame just left (the previous key's echo)
  CHECK(c.decide(1, t0 + 100us).what == kind::wait);
  c.input();  // the next key, back to back
  auto d = c.decide(1, t0 + 200us);
  CHECK(d.what == kind::send);
  CHECK(d.bytes == 1);
  c.sent(t0 + 200us);
  // What follows the answer within the delay is a stream again: batched.
  CHECK(c.decide(10, t0 + 300us).what == kind::wait);
}

TEST_CASE("input makes one frame an answer, not the stream that follows", "[term][coalescer]") {
  output_coalescer c(1000, 2ms);
  const auto t0 = output_coalescer::clock::now();
  c.sent(t0);
  c.input();  // a command typed while output streams
  CHECK(c.decide(10, t0 + 100us).what == kind::send);
  c.sent(t0 + 100us);
  for (auto t = 200us; t < 2ms; t += 100us) CHECK(c.decide(500, t0 + t).what == kind::wait);
  CHECK(c.decide(500, t0 + 2100us).what == kind::send);
}
