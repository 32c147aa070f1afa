// serve_ssh_bench VMTERM_SERVE [BYTES [KEYSTROKES [CONNECTS]]]: vmterm-serve --ssh to a real
// sshd on loopback (tests/support's fixture), measured with the serve benchmark's own scenarios
// (tests/bench/serve/scenarios.hpp: its WebSocket client acks as the page does). Prints, one
// line each:
//   connect: WebSocket open to the shell's first output (TCP + handshake + auth + channel +
//            the remote shell's prompt), median and max over CONNECTS sessions, and the SSH part
//            alone from vmterm-serve's vmterm_ssh_connect_duration_seconds (mean);
//   throughput: BYTES of output (head -c | tr) from Enter to the end marker, MB/s;
//   echo: keystroke to its echo, p50 and p99 over KEYSTROKES.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "ports.hpp"
#include "scenarios.hpp"
#include "serve_process.hpp"
#include "sshd_server.hpp"

namespace {

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
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
    const vmterm::bench::serve_config config{
        .binary = argv[1],
        .command = "",
        .extra_args = {"--ssh", sshd.user() + "@127.0.0.1:" + std::to_string(sshd.port()),
                       "--identity", sshd.identity_file().string(), "--known-hosts",
                       sshd.known_hosts_file().string()}};
    {
      const vmterm::bench::serve_process serve(config);
      const auto c = vmterm::bench::open_times(serve, n_connects);
      const auto metrics = vmterm::test::tcp_exchange(
          serve.address().port,
          "GET /metrics HTTP/1.0\r\nAuthorization: Bearer " + serve.address().token + "\r\n\r\n",
          1 << 20);
      const auto text = metrics.value_or("");
      const double n = metric(text, "vmterm_ssh_connect_duration_seconds_count");
      const double sum = metric(text, "vmterm_ssh_connect_duration_seconds_sum");
      std::printf(
          "connect (WebSocket open -> remote prompt): median %.1f ms, max %.1f ms (%d); "
          "SSH part (TCP+handshake+auth+channel) mean %.1f ms\n",
          percentile(c, 0.5), percentile(c, 1.0), n_connects, n > 0 ? sum / n * 1e3 : 0.0);
    }
    const auto t = vmterm::bench::throughput_serve(
        config, {.name = "remote head -c",
                 .command = "head -c " + std::to_string(bytes) + " /dev/zero | tr '\\0' a"});
    std::printf("throughput: %.1f MB/s (%llu bytes)\n", t.mb_per_s(),
                static_cast<unsigned long long>(t.bytes));
    const auto e = vmterm::bench::echo_serve(config, keystrokes);
    std::printf("echo: p50 %.2f ms, p99 %.2f ms (%d keystrokes)\n", percentile(e, 0.5),
                percentile(e, 0.99), keystrokes);
  } catch (const std::exception& e) {
    std::cerr << "serve_ssh_bench: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
