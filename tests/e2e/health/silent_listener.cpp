#include "silent_listener.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>
#include <stdexcept>

#include "temp_dir.hpp"

namespace vmterm::test {

silent_listener::silent_listener() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::listen(fd_, 64) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("silent_listener: cannot listen");
  }
  port_ = ntohs(addr.sin_port);
}

silent_listener::~silent_listener() {
  if (fd_ >= 0) ::close(fd_);
}

run_result health(std::vector<std::string> args, env_changes env) {
  if (!env.count("OTEL_TRACES_EXPORTER")) env["OTEL_TRACES_EXPORTER"] = "none";
  if (!env.count("VMTERM_HEALTH_TIMEOUT")) env["VMTERM_HEALTH_TIMEOUT"] = std::nullopt;
  for (const char* v :
       {"TRACEPARENT", "VMTERM_REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND",
        "VMTERM_HEALTH_PING_URL", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy",
        "ALL_PROXY", "NO_PROXY", "no_proxy"}) {
    if (!env.count(v)) env[v] = std::nullopt;
  }
  env["NO_COLOR"] = "1";
  return run_tool("vmterm-health", args, {.env = env, .timeout = std::chrono::seconds(30)});
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace vmterm::test
