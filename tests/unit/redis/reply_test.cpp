#include <hiredis/hiredis.h>
#include <hiredis/read.h>

#include <catch2/catch.hpp>
#include <memory>

#include "redis/detail/hiredis_reply.hpp"
#include "redis/errors.hpp"
#include "redis/reply.hpp"

using vmterm::redis::reply;
using vmterm::redis::reply_type;

namespace {

/// Feeds RESP bytes through hiredis's own reader (no server) and converts the reply.
reply parse(std::string_view bytes) {
  std::unique_ptr<redisReader, decltype(&redisReaderFree)> reader(redisReaderCreate(),
                                                                  &redisReaderFree);
  REQUIRE(redisReaderFeed(reader.get(), bytes.data(), bytes.size()) == REDIS_OK);
  void* out = nullptr;
  REQUIRE(redisReaderGetReply(reader.get(), &out) == REDIS_OK);
  REQUIRE(out != nullptr);
  auto r = vmterm::redis::detail::from_hiredis(static_cast<redisReply*>(out));
  freeReplyObject(out);
  return r;
}

}  // namespace

TEST_CASE("replies of every type from RESP bytes", "[redis][reply]") {
  CHECK(parse("+OK\r\n") == reply::make_status("OK"));
  CHECK(parse("-ERR unknown command\r\n") == reply::make_error("ERR unknown command"));
  CHECK(parse(":42\r\n") == reply::make_integer(42));
  CHECK(parse(":-7\r\n").integer() == -7);
  CHECK(parse("$5\r\nhello\r\n") == reply::make_string("hello"));
  CHECK(parse("$-1\r\n").is_nil());
  CHECK(parse("*-1\r\n").is_nil());
  CHECK(parse("*0\r\n") == reply::make_array({}));
}

TEST_CASE("bulk strings are binary-safe", "[redis][reply]") {
  const std::string bytes("$6\r\na\0b\r\nc\r\n", 12);
  const auto r = parse(bytes);
  REQUIRE(r.type() == reply_type::string);
  CHECK(r.text() == std::string("a\0b\r\nc", 6));
}

TEST_CASE("nested arrays own their elements", "[redis][reply]") {
  const auto r = parse("*3\r\n$7\r\nmessage\r\n*2\r\n:1\r\n$-1\r\n+x\r\n");
  REQUIRE(r.type() == reply_type::array);
  REQUIRE(r.elements().size() == 3);
  CHECK(r.elements()[0].text() == "message");
  CHECK(r.elements()[1] == reply::make_array({reply::make_integer(1), reply::make_nil()}));
  CHECK(r.elements()[2] == reply::make_status("x"));
  const reply copy = r;  // a value: copies are deep and independent
  CHECK(copy == r);
}

TEST_CASE("typed access says what was expected and what came, without values", "[redis][reply]") {
  CHECK(parse("$3\r\nabc\r\n").as_string().value() == "abc");
  CHECK(parse("+OK\r\n").as_string().value() == "OK");
  CHECK(parse(":3\r\n").as_integer().value() == 3);
  CHECK(parse("$-1\r\n").as_optional_string().value() == std::nullopt);
  CHECK(parse("$1\r\nv\r\n").as_optional_string().value() == std::optional<std::string>("v"));
  CHECK(parse("*1\r\n:1\r\n").as_array().value().size() == 1);

  auto a = parse(":3\r\n").as_string();
  REQUIRE_FALSE(a);
  CHECK(a.error().message == "expected a string reply, got an integer (3)");
  CHECK(a.error().code == vmterm::redis::errc::unexpected_reply);
  auto b = parse("$6\r\nsecret\r\n").as_integer();
  REQUIRE_FALSE(b);
  CHECK(b.error().message == "expected an integer reply, got a string (6 bytes)");
  auto c = parse("-WRONGTYPE Operation against a key\r\n").as_array();
  REQUIRE_FALSE(c);
  CHECK(c.error().message ==
        "expected an array reply, got an error (WRONGTYPE Operation against a key)");
  CHECK(c.error().code == vmterm::redis::errc::server_error);
  auto d = parse("*-1\r\n").as_array();
  REQUIRE_FALSE(d);
  CHECK(d.error().message == "expected an array reply, got nil");
  auto e = parse("*2\r\n:1\r\n:2\r\n").as_optional_string();
  REQUIRE_FALSE(e);
  CHECK(e.error().message == "expected a string or nil reply, got an array (2 elements)");
}

TEST_CASE("describe() for messages", "[redis][reply]") {
  CHECK(parse("+OK\r\n").describe() == "\"OK\"");
  CHECK(parse(":3\r\n").describe() == "(integer) 3");
  CHECK(parse("$-1\r\n").describe() == "(nil)");
  CHECK(parse("-ERR x\r\n").describe() == "(error) ERR x");
  CHECK(parse("*2\r\n:1\r\n:2\r\n").describe() == "(array of 2)");
  CHECK(parse("$6\r\nsecret\r\n").describe() == "(string of 6 bytes)");
}

TEST_CASE("a reply split across reads is assembled by the reader", "[redis][reply]") {
  std::unique_ptr<redisReader, decltype(&redisReaderFree)> reader(redisReaderCreate(),
                                                                  &redisReaderFree);
  void* out = nullptr;
  REQUIRE(redisReaderFeed(reader.get(), "*2\r\n$3\r\nfo", 10) == REDIS_OK);
  REQUIRE(redisReaderGetReply(reader.get(), &out) == REDIS_OK);
  CHECK(out == nullptr);
  REQUIRE(redisReaderFeed(reader.get(), "o\r\n:9\r\n", 7) == REDIS_OK);
  REQUIRE(redisReaderGetReply(reader.get(), &out) == REDIS_OK);
  REQUIRE(out != nullptr);
  auto r = vmterm::redis::detail::from_hiredis(static_cast<redisReply*>(out));
  freeReplyObject(out);
  CHECK(r == reply::make_array({reply::make_string("foo"), reply::make_integer(9)}));
}
