#include "redis_server.hpp"

#include "ports.hpp"

namespace vmterm::test {

redis_server::redis_server() {
  const auto exe = require_program("redis-server", "redis-server");
  service_spec spec;
  spec.name = "redis-server";
  spec.log = dir_ / "redis.log";
  spec.command = [&](std::uint16_t port) {
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
    o.stdout_file = spec.log;
    o.stderr_file = spec.log;
    return o;
  };
  spec.ready = [](std::uint16_t port) {
    const auto reply = tcp_exchange(port, "PING\r\n", 7);
    return reply && *reply == "+PONG\r\n";
  };
  svc_ = start_service(spec);
}

redis_server::~redis_server() = default;

std::string redis_server::url(int db) const {
  return "redis://127.0.0.1:" + std::to_string(port()) + "/" + std::to_string(db);
}

std::string redis_server::log() const { return read_file(dir_ / "redis.log"); }

}  // namespace vmterm::test
