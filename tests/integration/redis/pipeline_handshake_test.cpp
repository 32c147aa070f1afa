// connection_options::pipeline_handshake: what is issued while connecting rides behind the
// handshake in the first packet, its results wait for the handshake's outcome, and a refused
// handshake fails them with its own error.
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <thread>

#include "ports.hpp"
#include "redis_harness.hpp"
#include "redis_server.hpp"

using namespace vmterm;
using namespace vmterm::test;
using redis::reply;

namespace {

redis::connection_options early(const std::string& url) {
  auto o = redis_options(url);
  o.reconnect = false;
  o.pipeline_handshake = true;
  return o;
}

/// A listener that accepts one connection and collects what the client writes, never answering:
/// what arrives before any answer is what rode behind the handshake.
struct mute_listener {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor acceptor{
      ioc, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)};
  std::string received;  ///< read only after `done`
  std::atomic<bool> done{false};
  std::thread thread;

  /// Collects until `marker` has arrived or 5 s have passed.
  void start(std::string marker) {
    thread = std::thread([this, marker = std::move(marker)] {
      // Accepts with a deadline too: a client that never connects must not hang the join.
      const auto deadline = std::chrono::steady_clock::now() + 5s;
      boost::asio::ip::tcp::socket s(ioc);
      acceptor.non_blocking(true);
      boost::system::error_code accepted;
      do {
        acceptor.accept(s, accepted);
        if (accepted == boost::asio::error::would_block) std::this_thread::sleep_for(1ms);
      } while (accepted == boost::asio::error::would_block &&
               std::chrono::steady_clock::now() < deadline);
      if (accepted) {
        done = true;
        return;
      }
      char buf[4096];
      while (received.find(marker) == std::string::npos &&
             std::chrono::steady_clock::now() < deadline) {
        boost::system::error_code ec;
        const auto n = s.read_some(boost::asio::buffer(buf), ec);
        if (ec) break;
        received.append(buf, n);
      }
      done = true;
    });
  }
  ~mute_listener() {
    if (thread.joinable()) thread.join();
  }
  [[nodiscard]] std::string url() const {
    return "redis://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/0";
  }
};

}  // namespace

TEST_CASE("pipeline_handshake: a command issued while connecting is written before any answer",
          "[integration][redis]") {
  mute_listener mute;
  mute.start("LPUSH");
  redis_loop loop;
  auto o = early(mute.url());
  o.client_name = "probe";
  o.connect_timeout = 5s;
  auto c = loop.make(o);
  std::optional<expected<void>> connected;
  c->async_connect([&](expected<void> r) { connected = std::move(r); });
  c->exec({"LPUSH", "q", "m"}, [](expected<reply>) {});
  // The listener never answers PING, so the LPUSH can only have come with the handshake.
  REQUIRE(loop.run_until([&] { return mute.done.load(); }, 10s));
  c->close();
  mute.thread.join();
  INFO(mute.received);
  CHECK(mute.received.find("SETNAME") < mute.received.find("PING"));
  CHECK(mute.received.find("PING") < mute.received.find("LPUSH"));
}

TEST_CASE("pipeline_handshake: results are delivered once the handshake succeeded",
          "[integration][redis]") {
  redis_server server;
  redis_loop loop;
  auto c = loop.make(early(server.url()));
  std::optional<expected<void>> connected;
  c->async_connect([&](expected<void> r) { connected = std::move(r); });
  std::optional<expected<reply>> set, get;
  std::optional<redis::connection_state> state_at_set;
  c->exec({"SET", "k", "v"}, [&](expected<reply> r) {
    state_at_set = c->state();
    set = std::move(r);
  });
  c->exec({"GET", "k"}, [&](expected<reply> r) { get = std::move(r); });
  REQUIRE(loop.run_until([&] { return get.has_value() && connected.has_value(); }));
  CHECK(connected->has_value());
  CHECK(state_at_set == redis::connection_state::ready);
  CHECK(set->value() == reply::make_status("OK"));
  CHECK(get->value() == reply::make_string("v"));

  std::vector<redis::pubsub_message> got;
  auto sub = redis::subscriber::create(loop.ioc.get_executor(), early(server.url()),
                                       [&](const redis::pubsub_message& m) { got.push_back(m); });
  std::optional<expected<void>> subscribed;
  sub->subscribe({"ch"}, [&](expected<void> r) { subscribed = std::move(r); });
  REQUIRE(loop.run_until([&] { return subscribed.has_value(); }));
  REQUIRE(subscribed->has_value());
  CHECK(loop.exec(*c, {"PUBLISH", "ch", "hello"}).value() == reply::make_integer(1));
  REQUIRE(loop.run_until([&] { return !got.empty(); }));
  CHECK(got[0].payload == "hello");
  sub->close();
}

TEST_CASE("pipeline_handshake: a refused AUTH fails what rode behind it with its error",
          "[integration][redis]") {
  redis_server server({{"--requirepass", "s3cret"}});
  redis_loop loop;
  const auto port = std::to_string(server.port());
  auto c = loop.make(early("redis://:wrong@127.0.0.1:" + port + "/0"));
  auto r = loop.exec(*c, {"SET", "k", "v"});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == std::errc::permission_denied);
  CHECK(r.error().message == "redis 'redis://:***@127.0.0.1:" + port +
                                 "/0': SET: AUTH refused (WRONGPASS invalid username-password "
                                 "pair or user is disabled.); check the user and password in the "
                                 "URL");

  auto sub = redis::subscriber::create(loop.ioc.get_executor(),
                                       early("redis://:wrong@127.0.0.1:" + port + "/0"),
                                       [](const redis::pubsub_message&) {});
  std::optional<expected<void>> subscribed;
  sub->subscribe({"ch"}, [&](expected<void> s) { subscribed = std::move(s); });
  REQUIRE(loop.run_until([&] { return subscribed.has_value(); }));
  REQUIRE_FALSE(*subscribed);
  CHECK(subscribed->error().code == std::errc::permission_denied);
  sub->close();

  auto ok = loop.open(redis_options("redis://:s3cret@127.0.0.1:" + port + "/0"));
  CHECK(loop.exec(*ok, {"EXISTS", "k"}).value() == reply::make_integer(0));
}

TEST_CASE("pipeline_handshake: commands wait for a SELECT, so a refused one runs nothing",
          "[integration][redis]") {
  redis_server server;
  redis_loop loop;
  const auto port = std::to_string(server.port());
  auto c = loop.make(early("redis://127.0.0.1:" + port + "/99"));
  auto r = loop.exec(*c, {"SET", "k", "v"});
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "redis 'redis://127.0.0.1:" + port +
                                 "/99': SET: SELECT 99 refused (ERR DB index is out of range); "
                                 "use a db index the server has (databases in redis.conf)");
  auto db0 = loop.open(redis_options(server.url()));
  CHECK(loop.exec(*db0, {"EXISTS", "k"}).value() == reply::make_integer(0));
}

TEST_CASE("pipeline_handshake: a refused connection fails what was issued with its reason",
          "[integration][redis]") {
  const auto port = std::to_string(free_loopback_port());
  redis_loop loop;
  auto c = loop.make(early("redis://127.0.0.1:" + port + "/0"));
  std::optional<expected<void>> connected;
  c->async_connect([&](expected<void> r) { connected = std::move(r); });
  auto r = loop.exec(*c, {"LPUSH", "q", "m"});
  REQUIRE(connected.has_value());  // told first
  REQUIRE_FALSE(*connected);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "redis 'redis://127.0.0.1:" + port +
                                 "/0': LPUSH: connection refused; start redis-server or fix the "
                                 "URL");
}
