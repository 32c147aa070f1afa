// ssh_terminal alone against the sshd fixture on loopback: connect time (TCP + handshake +
// auth + channel, until the shell runs) and output throughput of 100 MB through the PTY
// channel. Targets (issue 5): connect <= 50 ms, throughput >= 40 MB/s.
//
//   build/bench/bench_ssh --benchmark_repetitions=20 --benchmark_filter=connect
//   build/bench/bench_ssh --benchmark_filter=throughput --benchmark_repetitions=5
//
// The peer, measured in the same run: OpenSSH's ssh client (a PTY with -tt for throughput),
// wall time of the whole process (so its connect figure includes its exit).

#include <benchmark/benchmark.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "process.hpp"
#include "ssh/ssh_terminal.hpp"
#include "sshd_server.hpp"

namespace {
using namespace vmterm;

test::sshd_server& server() {
  static test::sshd_server sshd;
  return sshd;
}

ssh::ssh_options options(const std::string& command) {
  auto& sshd = server();
  ssh::ssh_options o;
  o.target = {sshd.user(), sshd.host(), sshd.port()};
  o.identity = sshd.identity_file();
  o.known_hosts = sshd.known_hosts_file();
  o.command = command;
  return o;
}

struct outcome {
  std::chrono::nanoseconds connect{0};
  std::chrono::nanoseconds output{0};  // from the shell running to the exit
  std::size_t bytes = 0;
  std::optional<int> code;
  std::string reason;
};

outcome run_once(const std::string& command) {
  boost::asio::io_context ioc;
  outcome r;
  auto term = ssh::ssh_terminal::create(ioc.get_executor(), options(command));
  std::chrono::steady_clock::time_point ready_at;
  term->on_ready([&] { ready_at = std::chrono::steady_clock::now(); });
  term::terminal_handlers h;
  h.on_output = [&](std::string_view b) { r.bytes += b.size(); };
  h.on_exit = [&](int c, std::string_view why) {
    r.code = c;
    r.reason = std::string(why);
    r.output = std::chrono::steady_clock::now() - ready_at;
  };
  if (!term->start({80, 24}, std::move(h))) return r;
  ioc.run();
  r.connect = term->connect_duration();
  return r;
}

void BM_ssh_connect(benchmark::State& state) {
  for (auto _ : state) {
    const auto r = run_once("exit 0");
    if (r.code != 0) {
      state.SkipWithError(r.reason.c_str());
      break;
    }
    state.SetIterationTime(std::chrono::duration<double>(r.connect).count());
  }
}
BENCHMARK(BM_ssh_connect)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_ssh_throughput(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const std::string command = "head -c " + std::to_string(size) + " /dev/zero | tr '\\0' a";
  for (auto _ : state) {
    const auto r = run_once(command);
    if (r.code != 0 || r.bytes != size) {
      state.SkipWithError(("short output or failure: " + r.reason).c_str());
      break;
    }
    state.SetIterationTime(std::chrono::duration<double>(r.output).count());
    state.SetBytesProcessed(state.bytes_processed() + static_cast<std::int64_t>(size));
  }
}
BENCHMARK(BM_ssh_throughput)
    ->Arg(100'000'000)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

std::string openssh(const std::string& command, bool tty) {
  auto& sshd = server();
  std::string cmd = "ssh -F /dev/null -i '" + sshd.identity_file().string() + "' -p " +
                    std::to_string(sshd.port()) +
                    " -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes"
                    " -o GlobalKnownHostsFile=/dev/null -o UserKnownHostsFile='" +
                    sshd.known_hosts_file().string() + "' " + (tty ? "-tt " : "") + sshd.user() +
                    "@127.0.0.1 \"" + command + "\"";
  return cmd;
}

void BM_openssh_connect_and_exit(benchmark::State& state) {
  const std::string cmd = openssh("exit 0", false);
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = test::run({"sh", "-c", cmd});
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (r.exit_code != 0) {
      state.SkipWithError(r.err.c_str());
      break;
    }
  }
}
BENCHMARK(BM_openssh_connect_and_exit)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

void BM_openssh_throughput(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  const std::string cmd =
      openssh("head -c " + std::to_string(size) + " /dev/zero | tr '\\\\0' a", true) + " | wc -c";
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = test::run({"sh", "-c", cmd});
    state.SetIterationTime(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (r.exit_code != 0 || std::stoull(r.out) != size) {
      state.SkipWithError(("openssh: " + r.err + r.out).c_str());
      break;
    }
    state.SetBytesProcessed(state.bytes_processed() + static_cast<std::int64_t>(size));
  }
}
BENCHMARK(BM_openssh_throughput)
    ->Arg(100'000'000)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace
