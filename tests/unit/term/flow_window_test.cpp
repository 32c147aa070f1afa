#include "term/flow_window.hpp"

#include <catch2/catch.hpp>

using vmterm::term::flow_window;

TEST_CASE("reading stops at the high mark and resumes only at the low mark", "[term][flow]") {
  flow_window w(1000, 200);
  CHECK(w.may_read());
  w.on_sent(999);
  CHECK(w.may_read());
  w.on_sent(1);
  CHECK_FALSE(w.may_read());
  CHECK(w.throttled());
  REQUIRE(w.on_ack(500));  // 500 in flight: above the low mark, still stopped
  CHECK_FALSE(w.may_read());
  REQUIRE(w.on_ack(800));  // 200 in flight: at the low mark, reading again
  CHECK(w.may_read());
  CHECK(w.in_flight() == 200);
}

TEST_CASE("a pause stops reading whatever the window says", "[term][flow]") {
  flow_window w(1000, 200);
  w.pause();
  CHECK_FALSE(w.may_read());
  w.resume();
  CHECK(w.may_read());
}

TEST_CASE("acks beyond what was sent are refused; acks going backwards are ignored",
          "[term][flow]") {
  flow_window w(1000, 200);
  w.on_sent(100);
  CHECK_FALSE(w.on_ack(101));
  CHECK(w.acked() == 0);
  CHECK(w.on_ack(80));
  CHECK(w.on_ack(50));
  CHECK(w.acked() == 80);
}

TEST_CASE("a resumed session starts from the client's offset", "[term][flow]") {
  flow_window w(1000, 200);
  w.reset(5000, 3500);
  CHECK(w.in_flight() == 1500);
  CHECK_FALSE(w.may_read());
  w.reset(5000, 9000);  // a client cannot have more than was sent
  CHECK(w.acked() == 5000);
  CHECK(w.may_read());
}
