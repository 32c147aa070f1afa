#include "redis_server.hpp"

#include <stdexcept>

#include "ports.hpp"

namespace vmterm::test {

redis_server::redis_server() : redis_server(redis_server_options{}) {}

redis_server::redis_server(redis_server_options options) : options_(std::move(options)) { start(); }

void redis_server::start() {
  const auto exe = require_program("redis-server", "redis-server");
  spec_.name = "redis-server";
  spec_.log = dir_ / "redis.log";
  spec_.command = [this, exe](std::uint16_t port) {
    spawn_options o;
    o.argv = {exe.string(),
              "--port",
              std::to_string(port),
              "--bind",
              "127.0.0.1",
              "--dir",
              dir_.path().string(),
              "--save",
              "",
              "--appendonly",
              "no",
              "--daemonize",
              "no",
              "--protected-mode",
              "yes",
              "--logfile",
              ""};
    if (options_.unix_socket) {
      o.argv.insert(o.argv.end(),
                    {"--unixsocket", unix_socket().string(), "--unixsocketperm", "700"});
    }
    o.argv.insert(o.argv.end(), options_.args.begin(), options_.args.end());
    o.stdout_file = spec_.log;
    o.stderr_file = spec_.log;
    return o;
  };
  // A server with a password answers -NOAUTH: it is up all the same.
  spec_.ready = [](std::uint16_t port) {
    const auto reply = tcp_exchange(port, "PING\r\n", 7);
    return reply && (*reply == "+PONG\r\n" || reply->starts_with("-NOAUTH"));
  };
  svc_ = start_service(spec_);
}

redis_server::~redis_server() = default;

void redis_server::restart() {
  svc_.process->stop();
  svc_.process = std::make_unique<child_process>(spec_.command(svc_.port));
  const bool ready =
      wait_until([&] { return !svc_.process->running() || spec_.ready(svc_.port); }, spec_.timeout);
  if (!ready || !svc_.process->running()) {
    throw std::runtime_error("test fixture: redis-server did not come back on 127.0.0.1:" +
                             std::to_string(svc_.port) + "; its log:\n" + log());
  }
}

std::string redis_server::url(int db) const {
  return "redis://127.0.0.1:" + std::to_string(port()) + "/" + std::to_string(db);
}

std::string redis_server::log() const { return read_file(dir_ / "redis.log"); }

}  // namespace vmterm::test
