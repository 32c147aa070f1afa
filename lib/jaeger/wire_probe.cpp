#include "jaeger/wire_probe.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <memory>

namespace vmterm::jaeger {
namespace {

using steady = std::chrono::steady_clock;

int remaining_ms(steady::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

/// Waits for `events` on fd until the deadline.
bool wait_for(int fd, short events, steady::time_point deadline) {
  pollfd p{fd, events, 0};
  for (;;) {
    const int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n < 0 && errno == EINTR) continue;
    return n > 0;
  }
}

int connect_to(const std::string& host, std::uint16_t port, steady::time_point deadline) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return -1;
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> list(found, &::freeaddrinfo);
  for (auto* a = found; a != nullptr; a = a->ai_next) {
    const int fd =
        ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) return fd;
    if (errno == EINPROGRESS && wait_for(fd, POLLOUT, deadline)) {
      int err = 0;
      socklen_t len = sizeof err;
      if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) return fd;
    }
    ::close(fd);
  }
  return -1;
}

std::string printable_line(std::string_view bytes) {
  constexpr std::size_t max_chars = 60;
  const auto end = bytes.find_first_of("\r\n");
  const auto line = bytes.substr(0, end);
  std::string out;
  for (std::size_t i = 0; i < line.size() && i < max_chars; ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    out += c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?';
  }
  if (line.size() > max_chars) out += "…";
  return out;
}

}  // namespace

std::optional<std::string> first_words(const std::string& host, std::uint16_t port,
                                       const std::string& request,
                                       std::chrono::milliseconds timeout) {
  const auto deadline = steady::now() + timeout;
  const int fd = connect_to(host, port, deadline);
  if (fd < 0) return std::nullopt;
  std::unique_ptr<int, void (*)(int*)> guard(new int(fd), [](int* p) {
    ::close(*p);
    delete p;
  });
  // Greeting protocols (SSH) speak first; send the request anyway for the others. A write
  // error only means the server closed early: read what it said.
  (void)::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string got;
  char buf[512];
  while (got.find('\n') == std::string::npos && got.size() < sizeof buf &&
         wait_for(fd, POLLIN, deadline)) {
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  if (got.empty()) return std::nullopt;
  auto line = printable_line(got);
  if (line.empty()) return std::nullopt;
  return line;
}

}  // namespace vmterm::jaeger
