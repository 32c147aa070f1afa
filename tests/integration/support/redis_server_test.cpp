#include "redis_server.hpp"

#include <hiredis/hiredis.h>

#include <catch2/catch.hpp>
#include <memory>

#include "ports.hpp"

using namespace vmterm::test;

namespace {

struct context_deleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
struct reply_deleter {
  void operator()(void* r) const { freeReplyObject(r); }
};
using context_ptr = std::unique_ptr<redisContext, context_deleter>;
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;

context_ptr connect(const redis_server& server) {
  const timeval tv{2, 0};
  context_ptr c(redisConnectWithTimeout(server.host().c_str(), server.port(), tv));
  REQUIRE(c);
  INFO("connect error: " << c->errstr);
  REQUIRE(c->err == 0);
  return c;
}

reply_ptr command(redisContext* c, const char* fmt, const char* arg = nullptr) {
  return reply_ptr(static_cast<redisReply*>(redisCommand(c, fmt, arg)));
}

}  // namespace

TEST_CASE("the redis fixture starts a real redis-server that answers PING",
          "[integration][redis]") {
  redis_server redis;
  auto c = connect(redis);
  const auto pong = command(c.get(), "PING");
  REQUIRE(pong);
  REQUIRE(pong->type == REDIS_REPLY_STATUS);
  CHECK(std::string(pong->str, pong->len) == "PONG");

  command(c.get(), "SET vmterm:fixture %s", "works");
  const auto got = command(c.get(), "GET vmterm:fixture");
  REQUIRE(got->type == REDIS_REPLY_STRING);
  CHECK(std::string(got->str, got->len) == "works");
  CHECK(redis.url() == "redis://127.0.0.1:" + std::to_string(redis.port()) + "/0");
}

TEST_CASE("two redis fixtures run side by side on different ports with separate data",
          "[integration][redis]") {
  redis_server a;
  redis_server b;
  CHECK(a.port() != b.port());
  auto ca = connect(a);
  auto cb = connect(b);
  command(ca.get(), "SET who %s", "a");
  command(cb.get(), "SET who %s", "b");
  CHECK(std::string(command(ca.get(), "GET who")->str) == "a");
  CHECK(std::string(command(cb.get(), "GET who")->str) == "b");
}

TEST_CASE("a stopped redis fixture no longer accepts connections", "[integration][redis]") {
  redis_server redis;
  const auto port = redis.port();
  REQUIRE(tcp_exchange(port, "PING\r\n", 7) == std::optional<std::string>("+PONG\r\n"));
  redis.stop();
  CHECK_FALSE(redis.running());
  CHECK_FALSE(tcp_exchange(port, "PING\r\n", 7).has_value());
}

TEST_CASE("the redis fixture keeps no data between instances", "[integration][redis]") {
  std::uint16_t first_port = 0;
  {
    redis_server redis;
    first_port = redis.port();
    auto c = connect(redis);
    command(c.get(), "SET leftover %s", "1");
  }
  CHECK_FALSE(tcp_exchange(first_port, "PING\r\n", 7).has_value());
  redis_server fresh;
  auto c = connect(fresh);
  CHECK(command(c.get(), "EXISTS leftover")->integer == 0);
}
