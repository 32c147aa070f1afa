#include <catch2/catch.hpp>

#include "redis/command.hpp"

using vmterm::redis::command;
using vmterm::redis::sanitized_text;

TEST_CASE("command name is upper-cased", "[redis][command]") {
  CHECK(command{"lpush", "q", "v"}.name() == "LPUSH");
  CHECK(command{}.name().empty());
  command c;
  c.arg("set").arg("k").arg(std::string("\0bin", 4));
  CHECK(c.args.size() == 3);
  CHECK(c.args[2].size() == 4);
}

TEST_CASE("sanitized text replaces every argument", "[redis][command]") {
  CHECK(sanitized_text(command{"SET", "user:1", "secret value"}) == "SET ? ?");
  CHECK(sanitized_text(command{"lpush", "celery", "{\"args\":[1]}"}) == "LPUSH ? ?");
  CHECK(sanitized_text(command{"PING"}) == "PING");
  CHECK(sanitized_text(command{"AUTH", "user", "password"}) == "AUTH ? ?");
  CHECK(sanitized_text(command{"script", "load", "return 1"}) == "SCRIPT LOAD ?");
  CHECK(sanitized_text(command{"CLIENT", "SETNAME", "w1"}) == "CLIENT SETNAME ?");
  CHECK(sanitized_text(command{}).empty());
}

TEST_CASE("sanitized text keeps keys only when asked, never values", "[redis][command]") {
  CHECK(sanitized_text(command{"LPUSH", "celery", "payload"}, true) == "LPUSH celery ?");
  CHECK(sanitized_text(command{"SET", "k", "v", "EX", "10"}, true) == "SET k ? ? ?");
  CHECK(sanitized_text(command{"MSET", "a", "1", "b", "2"}, true) == "MSET a ? b ?");
  CHECK(sanitized_text(command{"DEL", "a", "b", "c"}, true) == "DEL a b c");
  CHECK(sanitized_text(command{"BRPOP", "q1", "q2", "1"}, true) == "BRPOP q1 q2 ?");
  CHECK(sanitized_text(command{"RPOPLPUSH", "src", "dst"}, true) == "RPOPLPUSH src dst");
  CHECK(sanitized_text(command{"EVALSHA", "abc", "2", "k1", "k2", "arg"}, true) ==
        "EVALSHA ? ? k1 k2 ?");
  CHECK(sanitized_text(command{"EVALSHA", "abc", "x", "k1"}, true) == "EVALSHA ? ? ?");
  CHECK(sanitized_text(command{"UNKNOWNCMD", "a", "b"}, true) == "UNKNOWNCMD ? ?");
  CHECK(sanitized_text(command{"AUTH", "user", "password"}, true) == "AUTH ? ?");
}

TEST_CASE("sanitized text of a long command is bounded", "[redis][command]") {
  command c{"RPUSH", "q"};
  for (int i = 0; i < 1000; ++i) c.arg("v");
  const auto text = sanitized_text(c);
  CHECK(text.size() < 200);
  CHECK(text.ends_with(" ... (937 more)"));
}
