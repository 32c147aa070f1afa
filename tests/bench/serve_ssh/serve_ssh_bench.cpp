// serve_ssh_bench VMTERM_SERVE [BYTES [KEYSTROKES [CONNECTS]]]: vmterm-serve --ssh to a real
// sshd on loopback (tests/support's fixture), driven by the serve benchmark's WebSocket client
// (acks as the page does). Prints, one line each:
//   connect: WebSocket open to the shell's first output (TCP + handshake + auth + channel +
//            the remote shell's prompt), median and max over CONNECTS sessions, and the SSH part
//            alone from vmterm-serve's vmterm_ssh_connect_duration_seconds (mean);
//   throughput: BYTES of output (head -c | tr) from Enter to the end marker, MB/s;
//   echo: keystroke to its echo, p50 and p99 over KEYSTROKES.
#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <exception>
#include <iostream>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "ports.hpp"
#include "process.hpp"
#include "sshd_server.hpp"
#include "temp_dir.hpp"
#include "term_client.hpp"

namespace net = boost::asio;
using namespace std::chrono_literals;
using vmterm::bench::bench_clock;
using vmterm::bench::server_address;
using vmterm::bench::term_client;

namespace {

constexpr std::string_view end_marker = "END-42";

double ms_between(bench_clock::time_point from, bench_clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

net::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  net::steady_timer timer(co_await net::this_coro::executor, d);
  co_await timer.async_wait(net::use_awaitable);
}

template <class T>
T run(net::awaitable<T> body) {
  net::io_context io;
  std::optional<T> result;
  std::exception_ptr failure;
  net::co_spawn(io, std::move(body), [&](std::exception_ptr e, T value) {
    if (e)
      failure = e;
    else
      result = std::move(value);
    io.stop();
  });
  io.run();
  if (failure) std::rethrow_exception(failure);
  return std::move(*result);
}

/// Opens a session and waits for the remote shell's first output; returns the milliseconds.
net::awaitable<double> open_session(term_client& c, const server_address& addr) {
  const auto start = bench_clock::now();
  co_await c.open(addr, 200, 50);
  if (!co_await c.wait([&] { return c.counters().output_bytes > 0; }, 30s)) {
    throw std::runtime_error("no remote prompt within 30 s: " + c.error());
  }
  co_return ms_between(start, bench_clock::now());
}

net::awaitable<std::vector<double>> connects(server_address addr, int n) {
  std::vector<double> ms;
  for (int i = 0; i < n; ++i) {
    term_client c(co_await net::this_coro::executor);
    ms.push_back(co_await open_session(c, addr));
    c.send_input("exit\r");
    (void)co_await c.wait([&] { return c.closed(); }, 5s);
  }
  co_return ms;
}

net::awaitable<double> throughput(server_address addr, std::uint64_t bytes) {
  term_client c(co_await net::this_coro::executor);
  (void)co_await open_session(c, addr);
  co_await sleep_for(500ms);
  std::string tail;
  std::optional<bench_clock::time_point> end;
  std::uint64_t received = 0;
  c.on_output([&](std::string_view chunk, bench_clock::time_point at) {
    if (end) return;
    received += chunk.size();
    tail += chunk.substr(chunk.size() > 64 ? chunk.size() - 64 : 0);
    if (tail.find(end_marker) != std::string::npos) end = at;
    if (tail.size() > 64) tail.erase(0, tail.size() - 64);
  });
  const auto start = bench_clock::now();
  c.send_input("head -c " + std::to_string(bytes) + " /dev/zero | tr '\\0' a; echo END-$((6*7))\r");
  if (!co_await c.wait([&] { return end.has_value(); }, 600s)) {
    throw std::runtime_error("no end marker after " + std::to_string(received) + " bytes");
  }
  c.send_input("exit\r");
  (void)co_await c.wait([&] { return c.closed(); }, 5s);
  co_return static_cast<double>(received) / (ms_between(start, *end) / 1e3) / 1e6;
}

net::awaitable<std::vector<double>> echo(server_address addr, int keystrokes) {
  term_client c(co_await net::this_coro::executor);
  (void)co_await open_session(c, addr);
  co_await sleep_for(500ms);
  char want = 'x';
  std::optional<bench_clock::time_point> seen;
  c.on_output([&](std::string_view chunk, bench_clock::time_point at) {
    if (!seen && chunk.find(want) != std::string_view::npos) seen = at;
  });
  std::vector<double> samples;
  for (int i = 0; i < keystrokes; ++i) {
    co_await sleep_for(10ms);
    want = 'x';
    seen.reset();
    const auto start = bench_clock::now();
    c.send_input("x");
    if (!co_await c.wait([&] { return seen.has_value(); }, 5s)) {
      throw std::runtime_error("keystroke " + std::to_string(i + 1) + ": no echo within 5 s");
    }
    samples.push_back(ms_between(start, *seen));
    want = '\b';
    seen.reset();
    c.send_input("\x7f");
    if (!co_await c.wait([&] { return seen.has_value(); }, 5s)) {
      throw std::runtime_error("keystroke " + std::to_string(i + 1) + ": DEL not echoed");
    }
  }
  c.send_input("exit\r");
  (void)co_await c.wait([&] { return c.closed(); }, 5s);
  co_return samples;
}

std::string random_token() {
  std::random_device rd;
  std::string t;
  for (int i = 0; i < 32; ++i) t += "0123456789abcdef"[rd() % 16];
  return t;
}

/// "name value" of a metric line in Prometheus text; 0 when absent.
double metric(const std::string& text, const std::string& name) {
  const auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) return 0;
  return std::stod(text.substr(at + name.size() + 2));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: serve_ssh_bench VMTERM_SERVE [BYTES [KEYSTROKES [CONNECTS]]]\n";
    return 2;
  }
  const std::uint64_t bytes = argc > 2 ? std::stoull(argv[2]) : 100'000'000;
  const int keystrokes = argc > 3 ? std::stoi(argv[3]) : 200;
  const int n_connects = argc > 4 ? std::stoi(argv[4]) : 20;
  try {
    vmterm::test::sshd_server sshd;
    vmterm::test::temp_dir dir("vmterm-bench-serve-ssh");
    const auto port = vmterm::test::free_loopback_port();
    const auto token = random_token();
    vmterm::test::child_process serve(vmterm::test::spawn_options{
        .argv = {argv[1], "--listen", "127.0.0.1:" + std::to_string(port), "--ssh",
                 sshd.user() + "@127.0.0.1:" + std::to_string(sshd.port()), "--identity",
                 sshd.identity_file().string(), "--known-hosts", sshd.known_hosts_file().string(),
                 "--log-level", "warn"},
        .env = {{"VMTERM_TOKEN", token}, {"OTEL_TRACES_EXPORTER", "none"}},
        .stderr_file = dir / "serve.log"});
    if (!vmterm::test::wait_until(
            [&] {
              const auto r = vmterm::test::tcp_exchange(port, "GET /readyz HTTP/1.0\r\n\r\n", 12);
              return r && r->find(" 200") != std::string::npos;
            },
            20s)) {
      throw std::runtime_error("vmterm-serve --ssh not ready: " +
                               vmterm::test::read_file(dir / "serve.log"));
    }
    const server_address addr{port, token};
    const auto c = run(connects(addr, n_connects));
    const auto metrics = vmterm::test::tcp_exchange(
        port, "GET /metrics HTTP/1.0\r\nAuthorization: Bearer " + token + "\r\n\r\n", 1 << 20);
    const auto text = metrics.value_or("");
    const double n = metric(text, "vmterm_ssh_connect_duration_seconds_count");
    const double sum = metric(text, "vmterm_ssh_connect_duration_seconds_sum");
    std::printf(
        "connect (WebSocket open -> remote prompt): median %.1f ms, max %.1f ms (%d); "
        "SSH part (TCP+handshake+auth+channel) mean %.1f ms\n",
        percentile(c, 0.5), percentile(c, 1.0), n_connects, n > 0 ? sum / n * 1e3 : 0.0);
    const auto mb_s = run(throughput(addr, bytes));
    std::printf("throughput: %.1f MB/s (%llu bytes)\n", mb_s,
                static_cast<unsigned long long>(bytes));
    const auto e = run(echo(addr, keystrokes));
    std::printf("echo: p50 %.2f ms, p99 %.2f ms (%d keystrokes)\n", percentile(e, 0.5),
                percentile(e, 0.99), keystrokes);
  } catch (const std::exception& e) {
    std::cerr << "serve_ssh_bench: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
