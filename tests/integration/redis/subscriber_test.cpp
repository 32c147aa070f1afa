#include "redis_harness.hpp"
#include "redis_server.hpp"

using namespace vmterm;
using namespace vmterm::test;
using redis::reply;

namespace {

struct sub_harness {
  explicit sub_harness(redis_loop& l, redis::connection_options o) : loop(l) {
    sub = redis::subscriber::create(loop.ioc.get_executor(), std::move(o),
                                    [this](const redis::pubsub_message& m) { got.push_back(m); });
    sub->on_resubscribed([this] { ++resubscribed; });
  }
  bool subscribe(std::vector<std::string> channels, bool patterns = false) {
    std::optional<expected<void>> done;
    auto fn = [&](expected<void> r) { done = std::move(r); };
    if (patterns) {
      sub->psubscribe(std::move(channels), fn);
    } else {
      sub->subscribe(std::move(channels), fn);
    }
    REQUIRE(loop.run_until([&] { return done.has_value(); }));
    return done->has_value();
  }
  redis_loop& loop;
  std::shared_ptr<redis::subscriber> sub;
  std::vector<redis::pubsub_message> got;
  int resubscribed = 0;
};

}  // namespace

TEST_CASE("SUBSCRIBE and PSUBSCRIBE: done after the confirmations, then messages arrive",
          "[integration][redis]") {
  redis_server server;
  redis_loop loop;
  auto pub = loop.open(redis_options(server.url()));
  sub_harness h(loop, redis_options(server.url()));
  REQUIRE(h.subscribe({"results", "other"}));
  REQUIRE(h.subscribe({"celery-task-meta-*"}, true));
  // Right after done, a publish is seen: both subscriptions are counted by Redis.
  CHECK(loop.exec(*pub, {"PUBLISH", "results", std::string("a\0b", 3)}).value().integer() == 1);
  CHECK(loop.exec(*pub, {"PUBLISH", "celery-task-meta-42", "{}"}).value().integer() == 1);
  REQUIRE(loop.run_until([&] { return h.got.size() == 2; }));
  CHECK(h.got[0].pattern.empty());
  CHECK(h.got[0].channel == "results");
  CHECK(h.got[0].payload == std::string("a\0b", 3));
  CHECK(h.got[1].pattern == "celery-task-meta-*");
  CHECK(h.got[1].channel == "celery-task-meta-42");
  CHECK(h.got[1].payload == "{}");

  h.sub->unsubscribe({"results"});
  loop.run_for(50ms);
  CHECK(loop.exec(*pub, {"PUBLISH", "results", "x"}).value().integer() == 0);
  CHECK(loop.exec(*pub, {"PUBLISH", "other", "y"}).value().integer() == 1);
  REQUIRE(loop.run_until([&] { return h.got.size() == 3; }));
  CHECK(h.got[2].channel == "other");
}

TEST_CASE("a subscriber re-subscribes after Redis restarts and says so", "[integration][redis]") {
  redis_server server;
  redis_loop loop;
  sub_harness h(loop, redis_options(server.url()));
  REQUIRE(h.subscribe({"ch"}));
  REQUIRE(h.subscribe({"p.*"}, true));
  server.stop();
  loop.run_for(200ms);
  server.restart();
  REQUIRE(loop.run_until([&] { return h.resubscribed == 1; }, 5s));
  auto pub = loop.open(redis_options(server.url()));
  CHECK(loop.exec(*pub, {"PUBLISH", "ch", "after"}).value().integer() == 1);
  CHECK(loop.exec(*pub, {"PUBLISH", "p.x", "pat"}).value().integer() == 1);
  REQUIRE(loop.run_until([&] { return h.got.size() == 2; }));
  CHECK(h.got[0].payload == "after");
  CHECK(h.got[1].pattern == "p.*");
  CHECK(h.resubscribed == 1);
}

TEST_CASE("a subscriber with a password, and close() ends it", "[integration][redis]") {
  redis_server server({{"--requirepass", "pw"}});
  redis_loop loop;
  const auto url = "redis://:pw@127.0.0.1:" + std::to_string(server.port()) + "/0";
  sub_harness h(loop, redis_options(url));
  REQUIRE(h.subscribe({"c"}));
  auto pub = loop.open(redis_options(url));
  CHECK(loop.exec(*pub, {"PUBLISH", "c", "m"}).value().integer() == 1);
  REQUIRE(loop.run_until([&] { return h.got.size() == 1; }));
  h.sub->close();
  loop.run_for(50ms);
  CHECK(loop.exec(*pub, {"PUBLISH", "c", "m"}).value().integer() == 0);
  std::optional<expected<void>> after;
  h.sub->subscribe({"d"}, [&](expected<void> r) { after = std::move(r); });
  REQUIRE(loop.run_until([&] { return after.has_value(); }));
  CHECK_FALSE(after->has_value());
}
