// The exactly-once send script and the lease scripts on a real redis-server: two beats that
// both believe they lead send a tick once; a beat without the lease sends nothing; older
// ticks are refused once a newer one (or a coalesced one) was sent.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "process.hpp"
#include "redis_server.hpp"
#include "schedule/beat_redis.hpp"

using namespace vmterm::test;
using namespace vmterm::schedule;

namespace {

/// kombu's binding member for queue celery: "celery\x06\x16\x06\x16celery".
const std::string binding_member = std::string("celery") + "\x06\x16" + "\x06\x16" + "celery";

struct cli {
  const redis_server& server;
  std::string operator()(std::vector<std::string> args) const {
    std::vector<std::string> argv{"redis-cli", "-p", std::to_string(server.port())};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto r = run(argv);
    REQUIRE(r.exit_code == 0);
    auto out = r.out;
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
  }
  std::string send(const beat_keys& k, const std::string& token, const std::string& entry,
                   std::int64_t due, const std::string& message) const {
    return (*this)({"EVAL", std::string(send_tick_lua), "5", k.leader(), k.last_run_at(),
                    k.tick(entry, due), "celery", "_kombu.binding.celery", token, entry,
                    std::to_string(due), "10", message, binding_member});
  }
};

}  // namespace

TEST_CASE("a tick is sent once even when two beats hold the same token view",
          "[integration][redis][schedule]") {
  redis_server server;
  cli redis{server};
  beat_keys k;
  REQUIRE(redis({"SET", k.leader(), "beat-a", "PX", "5000"}) == "OK");
  CHECK(redis.send(k, "beat-a", "health_check", 60000, "m1") == "1");
  // The same tick again (a second beat that also thinks it leads, or a retry): refused.
  CHECK(redis.send(k, "beat-a", "health_check", 60000, "m1-again") == "0");
  CHECK(redis({"LLEN", "celery"}) == "1");
  CHECK(redis({"HGET", k.last_run_at(), "health_check"}) == "60000");
  CHECK(redis({"SISMEMBER", "_kombu.binding.celery", binding_member}) == "1");
  const auto ttl = std::stoi(redis({"TTL", k.tick("health_check", 60000)}));
  CHECK(ttl > 0);
  CHECK(ttl <= 10);
}

TEST_CASE("a beat without the lease sends nothing (fencing)", "[integration][redis][schedule]") {
  redis_server server;
  cli redis{server};
  beat_keys k;
  CHECK(redis.send(k, "beat-a", "e", 1000, "m") == "-1");  // nobody holds it
  REQUIRE(redis({"SET", k.leader(), "beat-b", "PX", "5000"}) == "OK");
  CHECK(redis.send(k, "beat-a", "e", 1000, "m") == "-1");  // another holds it
  CHECK(redis({"LLEN", "celery"}) == "0");
  CHECK(redis({"EXISTS", k.tick("e", 1000)}) == "0");
}

TEST_CASE("ticks older than last_run_at are refused (coalesced or already sent)",
          "[integration][redis][schedule]") {
  redis_server server;
  cli redis{server};
  beat_keys k;
  REQUIRE(redis({"SET", k.leader(), "t", "PX", "5000"}) == "OK");
  CHECK(redis.send(k, "t", "e", 5000, "five") == "1");
  CHECK(redis.send(k, "t", "e", 4000, "four") == "0");
  CHECK(redis.send(k, "t", "e", 6000, "six") == "1");
  CHECK(redis({"LRANGE", "celery", "0", "-1"}) == "six\nfive");
}

TEST_CASE("the lease extends and releases only for its holder", "[integration][redis][schedule]") {
  redis_server server;
  cli redis{server};
  beat_keys k;
  REQUIRE(redis({"SET", k.leader(), "a", "NX", "PX", "1000"}) == "OK");
  CHECK(redis({"SET", k.leader(), "b", "NX", "PX", "1000"}) == "");  // nil: held
  CHECK(redis({"EVAL", std::string(extend_lease_lua), "1", k.leader(), "b", "5000"}) == "0");
  CHECK(redis({"EVAL", std::string(extend_lease_lua), "1", k.leader(), "a", "5000"}) == "1");
  CHECK(std::stoi(redis({"PTTL", k.leader()})) > 1000);
  CHECK(redis({"EVAL", std::string(release_lease_lua), "1", k.leader(), "b"}) == "0");
  CHECK(redis({"EVAL", std::string(release_lease_lua), "1", k.leader(), "a"}) == "1");
  CHECK(redis({"EXISTS", k.leader()}) == "0");
}

TEST_CASE("a batch sends each of its ticks under one fencing check, in order",
          "[integration][redis][schedule]") {
  redis_server server;
  cli redis{server};
  beat_keys k;
  REQUIRE(redis({"SET", k.leader(), "t", "PX", "5000"}) == "OK");
  REQUIRE(redis.send(k, "t", "b", 2000, "b2") == "1");
  auto tick = [&](const std::string& entry, std::int64_t due, const std::string& queue,
                  std::vector<std::string>& keys, std::vector<std::string>& args,
                  const std::string& message) {
    keys.insert(keys.end(), {k.tick(entry, due), queue, "_kombu.binding." + queue});
    args.insert(args.end(), {entry, std::to_string(due), "10", message, binding_member});
  };
  std::vector<std::string> keys{k.leader(), k.last_run_at()}, args{"t"};
  tick("a", 1000, "celery", keys, args, "a1");
  tick("a", 2000, "celery", keys, args, "a2");  // the same entry's next tick, after it
  tick("b", 1000, "celery", keys, args, "b1");  // older than b's last run: refused
  tick("c", 1000, "other", keys, args, "c1");   // another queue
  std::vector<std::string> argv{"EVAL", std::string(send_tick_lua), std::to_string(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  CHECK(redis(argv) == "1\n1\n0\n1");
  CHECK(redis({"LRANGE", "celery", "0", "-1"}) == "a2\na1\nb2");
  CHECK(redis({"LRANGE", "other", "0", "-1"}) == "c1");
  CHECK(redis({"HGET", k.last_run_at(), "a"}) == "2000");
  CHECK(redis(argv) == "0\n0\n0\n0");  // the whole batch again: nothing twice
  REQUIRE(redis({"SET", k.leader(), "other-beat", "PX", "5000"}) == "OK");
  CHECK(redis(argv) == "-1");
  CHECK(redis({"LLEN", "celery"}) == "3");
}
