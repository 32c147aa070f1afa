#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <filesystem>

#include "ports.hpp"
#include "redis_harness.hpp"
#include "redis_server.hpp"

using namespace vmterm;
using namespace vmterm::test;
using redis::command;
using redis::reply;

TEST_CASE("round trips: SET, GET, INCR, nil, status and integer replies", "[integration][redis]") {
  redis_server server;
  redis_loop loop;
  auto c = loop.open(redis_options(server.url()));
  CHECK(c->state() == redis::connection_state::ready);
  CHECK(loop.exec(*c, {"SET", "k", "v1"}).value() == reply::make_status("OK"));
  CHECK(loop.exec(*c, {"GET", "k"}).value() == reply::make_string("v1"));
  CHECK(loop.exec(*c, {"GET", "missing"}).value().is_nil());
  CHECK(loop.exec(*c, {"INCR", "n"}).value() == reply::make_integer(1));
  CHECK(loop.exec(*c, {"incrby", "n", "41"}).value().as_integer().value() == 42);
  auto arr = loop.exec(*c, {"MGET", "k", "missing", "n"}).value();
  CHECK(arr == reply::make_array({reply::make_string("v1"), reply{}, reply::make_string("42")}));
}

TEST_CASE("an error reply names the URL, the command and Redis's words", "[integration][redis]") {
  redis_server server;
  redis_loop loop;
  auto c = loop.open(redis_options(server.url()));
  REQUIRE(loop.exec(*c, {"SET", "s", "x"}));
  auto r = loop.exec(*c, {"LPUSH", "s", "y"});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == redis::errc::server_error);
  CHECK(r.error().message == "redis '" + server.url() +
                                 "': LPUSH: WRONGTYPE Operation against a key holding the wrong "
                                 "kind of value");
  auto u = loop.exec(*c, {"NOSUCHCOMMAND", "a"});
  REQUIRE_FALSE(u);
  CHECK_THAT(u.error().message,
             Catch::StartsWith("redis '" + server.url() + "': NOSUCHCOMMAND: ERR unknown command"));
  // The connection is still good afterwards.
  CHECK(loop.exec(*c, {"PING"}).value() == reply::make_status("PONG"));
}

TEST_CASE("the db in the URL is SELECTed, and CLIENT SETNAME names the connection",
          "[integration][redis]") {
  redis_server server;
  redis_loop loop;
  auto o = redis_options(server.url(3));
  o.client_name = "vmterm-test";
  auto db3 = loop.open(o);
  auto db0 = loop.open(redis_options(server.url(0)));
  REQUIRE(loop.exec(*db3, {"SET", "only3", "x"}));
  CHECK(loop.exec(*db0, {"EXISTS", "only3"}).value().integer() == 0);
  CHECK(loop.exec(*db3, {"EXISTS", "only3"}).value().integer() == 1);
  CHECK(loop.exec(*db3, {"CLIENT", "GETNAME"}).value().text() == "vmterm-test");

  auto bad = loop.make(redis_options(server.url(99)));
  auto r = loop.connect(*bad);
  REQUIRE_FALSE(r);
  CHECK(r.error().message ==
        "redis '" + server.url(99) +
            "': SELECT 99 refused (ERR DB index is out of range); use a db index the server has "
            "(databases in redis.conf)");
}

TEST_CASE("a 1,000-command pipeline and 1,000 commands in flight at once", "[integration][redis]") {
  redis_server server;
  redis_loop loop;
  auto c = loop.open(redis_options(server.url()));
  std::vector<command> cmds;
  for (int i = 0; i < 1000; ++i) cmds.push_back(command{"RPUSH", "list", std::to_string(i)});
  auto replies = loop.pipeline(*c, std::move(cmds));
  REQUIRE(replies);
  REQUIRE(replies->size() == 1000);
  for (std::size_t i = 0; i < 1000; ++i) {
    REQUIRE((*replies)[i] == reply::make_integer(static_cast<std::int64_t>(i) + 1));
  }

  // Separate exec()s, none awaited before the next: replies arrive in order.
  std::vector<std::int64_t> got;
  for (int i = 0; i < 1000; ++i) {
    c->exec({"LINDEX", "list", std::to_string(i)},
            [&got](expected<reply> r) { got.push_back(r ? std::stoll(r->text()) : -1); });
  }
  REQUIRE(loop.run_until([&] { return got.size() == 1000; }));
  for (std::size_t i = 0; i < 1000; ++i) REQUIRE(got[i] == static_cast<std::int64_t>(i));

  // Error replies stay replies in a pipeline (partial success is visible).
  auto mixed = loop.pipeline(*c, {{"SET", "a", "1"}, {"LPUSH", "a", "x"}, {"GET", "a"}});
  REQUIRE(mixed);
  CHECK((*mixed)[0] == reply::make_status("OK"));
  CHECK((*mixed)[1].is_error());
  CHECK((*mixed)[2] == reply::make_string("1"));
  // MULTI/EXEC in one pipeline.
  auto tx = loop.pipeline(*c, {{"MULTI"}, {"INCR", "t"}, {"INCR", "t"}, {"EXEC"}});
  REQUIRE(tx);
  CHECK(tx->back() == reply::make_array({reply::make_integer(1), reply::make_integer(2)}));
  // An empty pipeline is an empty answer.
  auto none = loop.pipeline(*c, {});
  REQUIRE(none);
  CHECK(none->empty());
}

TEST_CASE("values and keys are binary-safe", "[integration][redis]") {
  redis_server server;
  redis_loop loop;
  auto c = loop.open(redis_options(server.url()));
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  const std::string key("k\0\r\n y", 6);
  REQUIRE(loop.exec(*c, {"SET", key, all}));
  auto r = loop.exec(*c, {"GET", key});
  REQUIRE(r);
  CHECK(r->text() == all);
  std::string big(1 << 20, 'x');
  big[12345] = '\0';
  REQUIRE(loop.exec(*c, {"SET", "big", big}));
  CHECK(loop.exec(*c, {"GET", "big"}).value().text() == big);
}

TEST_CASE("EVALSHA loads the script on NOSCRIPT, also after SCRIPT FLUSH", "[integration][redis]") {
  redis_server server;
  redis_loop loop;
  auto c = loop.open(redis_options(server.url()));
  const redis::script s("concat", "return KEYS[1] .. ':' .. ARGV[1]");
  CHECK(loop.eval(*c, s, {"a"}, {"b"}).value() == reply::make_string("a:b"));
  CHECK(loop.exec(*c, {"SCRIPT", "EXISTS", s.sha1()}).value() ==
        reply::make_array({reply::make_integer(1)}));
  REQUIRE(loop.exec(*c, {"SCRIPT", "FLUSH"}));
  CHECK(loop.eval(*c, s, {"c"}, {"d"}).value() == reply::make_string("c:d"));
  CHECK(loop.eval(*c, s, {"e"}, {"f"}).value() == reply::make_string("e:f"));

  const redis::script broken("broken", "return (");
  auto r = loop.eval(*c, broken, {}, {});
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message, Catch::StartsWith("redis '" + server.url() +
                                                  "': EVALSHA broken: ERR Error compiling"));
  const redis::script failing("failing", "return redis.error_reply('MYERR no luck')");
  auto f = loop.eval(*c, failing, {}, {});
  REQUIRE_FALSE(f);
  CHECK(f.error().message == "redis '" + server.url() + "': EVALSHA failing: MYERR no luck");
}

TEST_CASE("AUTH with requirepass: right, missing and wrong password", "[integration][redis]") {
  redis_server server({{"--requirepass", "s3cret"}});
  redis_loop loop;
  const auto port = std::to_string(server.port());
  auto ok = loop.open(redis_options("redis://:s3cret@127.0.0.1:" + port + "/0"));
  CHECK(loop.exec(*ok, {"PING"}).value() == reply::make_status("PONG"));

  auto none = loop.make(redis_options(server.url()));
  auto r1 = loop.connect(*none);
  REQUIRE_FALSE(r1);
  CHECK(r1.error().code == std::errc::permission_denied);
  CHECK(r1.error().message == "redis '" + server.url() +
                                  "': the server requires a password (NOAUTH Authentication "
                                  "required.); put it in the URL: "
                                  "redis://[user:]password@host:port/db");

  auto o = redis_options("redis://:wrong@127.0.0.1:" + port + "/0");
  o.reconnect = false;
  auto wrong = loop.make(o);
  auto r2 = loop.connect(*wrong);
  REQUIRE_FALSE(r2);
  CHECK(r2.error().code == std::errc::permission_denied);
  CHECK(r2.error().message == "redis 'redis://:***@127.0.0.1:" + port +
                                  "/0': AUTH refused (WRONGPASS invalid username-password pair "
                                  "or user is disabled.); check the user and password in the "
                                  "URL");
  CHECK(r2.error().message.find("wrong") == r2.error().message.find("wrong)"));  // not the pw
}

TEST_CASE("AUTH as an ACL user", "[integration][redis]") {
  redis_server server(
      {{"--user", "worker", "on", ">w0rker-pw", "~*", "&*", "+@all", "--user", "default", "off"}});
  redis_loop loop;
  const auto port = std::to_string(server.port());
  auto c = loop.open(redis_options("redis://worker:w0rker-pw@127.0.0.1:" + port + "/0"));
  CHECK(loop.exec(*c, {"ACL", "WHOAMI"}).value().text() == "worker");

  auto o = redis_options("redis://worker:nope@127.0.0.1:" + port + "/0");
  o.reconnect = false;
  auto bad = loop.make(o);
  auto r = loop.connect(*bad);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "redis 'redis://worker:***@127.0.0.1:" + port +
                                 "/0': AUTH refused (WRONGPASS invalid username-password pair "
                                 "or user is disabled.); check the user and password in the URL");
}

TEST_CASE("a refused connection names the redacted URL", "[integration][redis]") {
  const auto port = std::to_string(free_loopback_port());
  redis_loop loop;
  auto o = redis_options("redis://:pw-never-shown@127.0.0.1:" + port + "/2");
  o.reconnect = false;
  auto c = loop.make(o);
  auto r = loop.connect(*c);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == std::errc::connection_refused);
  CHECK(r.error().message == "redis 'redis://:***@127.0.0.1:" + port +
                                 "/2': connection refused; start redis-server or fix the URL");
  // A command on a connection that cannot connect fails with the same reason.
  auto e = loop.exec(*c, {"GET", "k"});
  REQUIRE_FALSE(e);
  CHECK(e.error().message == "redis 'redis://:***@127.0.0.1:" + port +
                                 "/2': GET: connection refused; start redis-server or fix the URL");
}

TEST_CASE("the connect deadline holds against a listener that never answers",
          "[integration][redis]") {
  redis_loop loop;
  // A socket that listens (the kernel completes the TCP handshake) but never reads or writes.
  boost::asio::io_context other;
  boost::asio::ip::tcp::acceptor silent(
      other, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  const auto port = std::to_string(silent.local_endpoint().port());
  auto o = redis_options("redis://127.0.0.1:" + port + "/0");
  o.connect_timeout = 300ms;
  o.reconnect = false;
  auto c = loop.make(o);
  const auto start = std::chrono::steady_clock::now();
  auto r = loop.connect(*c);
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r);
  CHECK(r.error().code == std::errc::timed_out);
  CHECK(r.error().message == "redis 'redis://127.0.0.1:" + port +
                                 "/0': timed out after 300 ms waiting for an answer to PING; is "
                                 "a Redis server listening there?");
  CHECK(took >= 300ms);
  CHECK(took < 2s);
}

TEST_CASE("unix socket URLs connect", "[integration][redis]") {
  redis_server server({.unix_socket = true});
  redis_loop loop;
  auto c = loop.open(redis_options("unix://" + server.unix_socket().string() + "?db=1"));
  REQUIRE(loop.exec(*c, {"SET", "u", "1"}));
  auto tcp = loop.open(redis_options(server.url(1)));
  CHECK(loop.exec(*tcp, {"GET", "u"}).value() == reply::make_string("1"));
}

TEST_CASE("hiredis's socket is close-on-exec", "[integration][redis]") {
  redis_server server;
  redis_loop loop;
  auto c = loop.open(redis_options(server.url()));
  int sockets = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    const auto target = std::filesystem::read_symlink(entry.path(), ec).string();
    if (ec || !target.starts_with("socket:")) continue;
    const int fd = std::stoi(entry.path().filename().string());
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags < 0) continue;
    ++sockets;
    INFO("fd " << fd << " " << target);
    CHECK((flags & FD_CLOEXEC) != 0);
  }
  CHECK(sockets >= 1);
}

TEST_CASE("commands refused on a connection, and close() cancels what is pending",
          "[integration][redis]") {
  redis_server server;
  redis_loop loop;
  auto c = loop.open(redis_options(server.url()));
  auto s = loop.exec(*c, {"SUBSCRIBE", "x"});
  REQUIRE_FALSE(s);
  CHECK(s.error().code == redis::errc::usage);
  CHECK(s.error().message == "redis '" + server.url() +
                                 "': SUBSCRIBE: pub/sub needs a connection of its own; use "
                                 "redis::subscriber");
  std::optional<expected<reply>> blocked;
  c->exec({"BLPOP", "never", "10"}, [&](expected<reply> r) { blocked = std::move(r); });
  loop.run_for(50ms);
  c->close();
  REQUIRE(loop.run_until([&] { return blocked.has_value(); }, 2s));
  REQUIRE_FALSE(*blocked);
  CHECK(blocked->error().code == std::errc::operation_canceled);
  CHECK(blocked->error().message ==
        "redis '" + server.url() + "': BLPOP: canceled (the connection was closed)");
  CHECK(c->state() == redis::connection_state::closed);
  auto after = loop.exec(*c, {"PING"});
  REQUIRE_FALSE(after);
  CHECK(after.error().code == std::errc::operation_canceled);
}
