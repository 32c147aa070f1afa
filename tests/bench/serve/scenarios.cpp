#include "scenarios.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>

#include "pty_floor.hpp"

namespace vmterm::bench {

namespace net = boost::asio;
using namespace std::chrono_literals;
using net::use_awaitable;

namespace {

/// The shell prints this after the workload; the echo of the command line cannot hold it.
constexpr std::string_view end_marker = "END-42";
constexpr std::string_view end_command = "; echo END-$((6*7))\r";

/// Finds the end marker in a stream of chunks, also across chunk boundaries.
class marker_scanner {
 public:
  bool feed(std::string_view chunk) {
    std::string seam = tail_;
    seam.append(chunk.substr(0, std::min(chunk.size(), end_marker.size() - 1)));
    if (seam.find(end_marker) != std::string::npos) return true;
    if (chunk.find(end_marker) != std::string_view::npos) return true;
    const auto keep = std::min(chunk.size(), end_marker.size() - 1);
    tail_ = (tail_ + std::string(chunk.substr(chunk.size() - keep)));
    if (tail_.size() > end_marker.size() - 1)
      tail_.erase(0, tail_.size() - (end_marker.size() - 1));
    return false;
  }

 private:
  std::string tail_;
};

double ms_between(bench_clock::time_point from, bench_clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

net::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  net::steady_timer timer(co_await net::this_coro::executor, d);
  co_await timer.async_wait(use_awaitable);
}

/// Runs one coroutine on a fresh io_context to its end, rethrowing what it threw. Sessions it
/// leaves open are dropped with the io_context.
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

/// Opens a session and waits for the shell's first output (its prompt) and a moment more.
net::awaitable<void> open_at_prompt(term_client& c, const server_address& addr, std::uint16_t cols,
                                    std::uint16_t rows) {
  co_await c.open(addr, cols, rows);
  if (!co_await c.wait([&] { return c.counters().output_bytes > 0; }, 30s)) {
    throw std::runtime_error("no shell prompt within 30 s" +
                             (c.error().empty() ? std::string{} : ": " + c.error()));
  }
  co_await sleep_for(300ms);
}

net::awaitable<throughput_result> throughput_body(const serve_process& server,
                                                  const workload& work) {
  const auto addr = server.address();
  term_client c(co_await net::this_coro::executor);
  co_await open_at_prompt(c, addr, 200, 50);
  throughput_result r;
  marker_scanner scanner;
  std::optional<bench_clock::time_point> end;
  c.on_output([&](std::string_view bytes, bench_clock::time_point at) {
    if (end) return;
    r.bytes += bytes.size();
    ++r.messages;
    if (scanner.feed(bytes)) end = at;
  });
  const double cpu_before = server.cpu_seconds();
  const auto start = bench_clock::now();
  c.send_input(work.command + std::string(end_command));
  if (!co_await c.wait([&] { return end.has_value(); }, 600s)) {
    throw std::runtime_error("'" + work.name + "': no end marker after " + std::to_string(r.bytes) +
                             " bytes" + (c.error().empty() ? std::string{} : ": " + c.error()));
  }
  r.seconds = ms_between(start, *end) / 1e3;
  r.server_cpu_seconds = server.cpu_seconds() - cpu_before;
  c.send_input("exit\r");
  (void)co_await c.wait([&] { return c.closed() || c.counters().control_messages > 1; }, 5s);
  c.close();
  co_return r;
}

net::awaitable<std::vector<double>> echo_body(server_address addr, int keystrokes) {
  term_client c(co_await net::this_coro::executor);
  co_await open_at_prompt(c, addr, 80, 24);
  co_await sleep_for(500ms);
  char want = 'x';
  std::optional<bench_clock::time_point> seen;
  c.on_output([&](std::string_view bytes, bench_clock::time_point at) {
    if (!seen && bytes.find(want) != std::string_view::npos) seen = at;
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
    want = '\b';  // DEL's echo moves back: "\b \b" or "\b\x1b[K"
    seen.reset();
    c.send_input("\x7f");
    if (!co_await c.wait([&] { return seen.has_value(); }, 5s)) {
      throw std::runtime_error("keystroke " + std::to_string(i + 1) + ": DEL not echoed");
    }
  }
  c.close();
  co_return samples;
}

/// Opens sessions until `clients` holds `count`, `parallel` handshakes at a time.
net::awaitable<void> open_many(const server_address& addr, std::size_t count,
                               std::vector<std::unique_ptr<term_client>>& clients,
                               std::vector<std::string>& errors) {
  constexpr int parallel = 10;
  auto executor = co_await net::this_coro::executor;
  std::size_t next = clients.size() + errors.size();
  const std::size_t goal = next + count;
  int running = parallel;
  auto worker = [&]() -> net::awaitable<void> {
    while (next < goal) {
      const auto index = next++;
      auto c = std::make_unique<term_client>(executor);
      try {
        co_await c->open(addr, 80, 24);
        if (co_await c->wait([&] { return c->counters().output_bytes > 0; }, 30s)) {
          clients.push_back(std::move(c));
        } else {
          errors.push_back("session " + std::to_string(index + 1) + ": no prompt within 30 s " +
                           c->error());
        }
      } catch (const std::exception& e) {
        errors.push_back("session " + std::to_string(index + 1) + ": " + e.what());
      }
    }
    --running;
  };
  for (int i = 0; i < parallel; ++i) net::co_spawn(executor, worker(), net::detached);
  while (running > 0) co_await sleep_for(20ms);
}

std::size_t count_dropped(const std::vector<std::unique_ptr<term_client>>& clients,
                          std::vector<std::string>& errors) {
  std::size_t dropped = 0;
  for (const auto& c : clients) {
    if (!c->closed()) continue;
    ++dropped;
    errors.push_back("an idle session closed: " +
                     (c->error().empty() ? "by the server" : c->error()));
  }
  return dropped;
}

std::uint64_t median_rss(const serve_process& server) {
  std::vector<std::uint64_t> reads;
  for (int i = 0; i < 3; ++i) {
    if (i) std::this_thread::sleep_for(200ms);
    reads.push_back(server.rss_kib());
  }
  std::sort(reads.begin(), reads.end());
  return reads[1];
}

net::awaitable<idle_result> idle_body(const serve_process& server, std::size_t target,
                                      std::size_t most) {
  const auto addr = server.address();
  idle_result r;
  r.target = target;
  r.most = most;
  co_await sleep_for(2s);
  r.rss0_kib = median_rss(server);
  std::vector<std::unique_ptr<term_client>> clients;
  co_await open_many(addr, target, clients, r.errors);
  co_await sleep_for(5s);
  r.rss_target_kib = median_rss(server);
  r.shells_at_target = server.children();
  (void)count_dropped(clients, r.errors);
  r.errors_at_target = r.errors.size();
  if (most > target) {
    co_await open_many(addr, most - target, clients, r.errors);
    co_await sleep_for(2s);
    r.rss_most_kib = median_rss(server);
  }
  std::vector<std::string> late;
  r.opened = clients.size() - count_dropped(clients, late);
  for (auto& c : clients) c->close();
  co_await sleep_for(500ms);
  co_return r;
}

}  // namespace

std::vector<double> open_times(const serve_process& server, int sessions) {
  return run([](server_address addr, int n) -> net::awaitable<std::vector<double>> {
    std::vector<double> ms;
    for (int i = 0; i < n; ++i) {
      term_client c(co_await net::this_coro::executor);
      const auto start = bench_clock::now();
      co_await c.open(addr, 200, 50);
      if (!co_await c.wait([&] { return c.counters().output_bytes > 0; }, 30s)) {
        throw std::runtime_error("session " + std::to_string(i + 1) +
                                 ": no shell prompt within 30 s" +
                                 (c.error().empty() ? std::string{} : ": " + c.error()));
      }
      ms.push_back(ms_between(start, bench_clock::now()));
      c.send_input("exit\r");
      (void)co_await c.wait([&] { return c.closed(); }, 5s);
      c.close();
    }
    co_return ms;
  }(server.address(), sessions));
}

throughput_result throughput_serve(const serve_config& config, const workload& work) {
  serve_process server(config);
  return run(throughput_body(server, work));
}

throughput_result throughput_floor(const std::vector<std::string>& shell, const workload& work) {
  pty_floor pty(shell, 200, 50);
  if (!pty.read_until([](std::string_view, bench_clock::time_point) { return true; }, 30s)) {
    throw std::runtime_error("pty floor: no shell prompt within 30 s");
  }
  pty.drain(300ms);
  throughput_result r;
  marker_scanner scanner;
  bench_clock::time_point end;
  const auto start = bench_clock::now();
  pty.write(work.command + std::string(end_command));
  const bool done = pty.read_until(
      [&](std::string_view bytes, bench_clock::time_point at) {
        r.bytes += bytes.size();
        ++r.messages;
        end = at;
        return scanner.feed(bytes);
      },
      600s);
  if (!done) throw std::runtime_error("pty floor '" + work.name + "': no end marker");
  r.seconds = ms_between(start, end) / 1e3;
  return r;
}

std::vector<double> echo_serve(const serve_config& config, int keystrokes) {
  serve_process server(config);
  return run(echo_body(server.address(), keystrokes));
}

std::vector<double> echo_floor(const std::vector<std::string>& shell, int keystrokes) {
  pty_floor pty(shell, 80, 24);
  if (!pty.read_until([](std::string_view, bench_clock::time_point) { return true; }, 30s)) {
    throw std::runtime_error("pty floor: no shell prompt within 30 s");
  }
  pty.drain(800ms);
  std::vector<double> samples;
  auto wait_for = [&](char want, bench_clock::time_point& at) {
    return pty.read_until(
        [&](std::string_view bytes, bench_clock::time_point when) {
          at = when;
          return bytes.find(want) != std::string_view::npos;
        },
        5s);
  };
  for (int i = 0; i < keystrokes; ++i) {
    std::this_thread::sleep_for(10ms);
    bench_clock::time_point seen;
    const auto start = bench_clock::now();
    pty.write("x");
    if (!wait_for('x', seen)) throw std::runtime_error("pty floor: no echo within 5 s");
    samples.push_back(ms_between(start, seen));
    pty.write("\x7f");
    if (!wait_for('\b', seen)) throw std::runtime_error("pty floor: DEL not echoed");
  }
  return samples;
}

idle_result idle_serve(const serve_config& config, std::size_t target, std::size_t most) {
  serve_process server(config);
  return run(idle_body(server, target, most));
}

}  // namespace vmterm::bench
