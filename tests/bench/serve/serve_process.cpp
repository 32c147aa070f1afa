#include "serve_process.hpp"

#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "ports.hpp"

namespace vmterm::bench {
namespace {

std::string random_token() {
  std::random_device random;
  std::ostringstream out;
  out << std::hex;
  for (int i = 0; i < 4; ++i) out << random();
  return out.str();
}

bool healthy(std::uint16_t port) {
  const auto reply = test::tcp_exchange(
      port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 12);
  return reply && reply->starts_with("HTTP/1.1 200");
}

}  // namespace

serve_process::serve_process(const serve_config& config) : token_(random_token()) {
  if (!std::filesystem::exists(config.binary)) {
    throw std::runtime_error("vmterm-serve not found at '" + config.binary.string() +
                             "'; build it (cmake --build BUILD --target vmterm-serve) or pass "
                             "--serve PATH");
  }
  const auto binary = std::filesystem::absolute(config.binary);  // it runs in dir_
  const auto log_file = dir_ / "serve.log";
  service_ = test::start_service({
      .name = "vmterm-serve",
      .command =
          [&](std::uint16_t port) {
            std::vector<std::string> argv{binary.string(),
                                          "--listen",
                                          "127.0.0.1:" + std::to_string(port),
                                          "--max-sessions",
                                          std::to_string(config.max_sessions),
                                          "--log-level",
                                          "warn"};
            if (!config.command.empty()) argv.insert(argv.end(), {"--command", config.command});
            argv.insert(argv.end(), config.extra_args.begin(), config.extra_args.end());
            return test::spawn_options{
                .argv = std::move(argv),
                // The sessions' shells keep no history file. Spans go to a file, as under
                // scripts/run: a working exporter, not the default OTLP one failing against a
                // collector that is not there and holding its queue of spans meanwhile.
                .env = {{"VMTERM_TOKEN", token_},
                        {"HISTFILE", ""},
                        {"OTEL_TRACES_EXPORTER", "file"},
                        {"VMTERM_TRACES_FILE", (dir_ / "traces.jsonl").string()}},
                .cwd = dir_.path(),
                .stdout_file = log_file,
                .stderr_file = log_file,
            };
          },
      .ready = healthy,
      .log = log_file,
  });
}

std::uint64_t serve_process::rss_kib() const {
  std::ifstream status("/proc/" + std::to_string(pid()) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) return std::stoull(line.substr(6));
  }
  throw std::runtime_error("no VmRSS in /proc/" + std::to_string(pid()) + "/status");
}

double serve_process::cpu_seconds() const {
  std::ifstream stat("/proc/" + std::to_string(pid()) + "/stat");
  const std::string text((std::istreambuf_iterator<char>(stat)), {});
  // Fields after "(comm)": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
  // cmajflt utime stime.
  std::istringstream rest(text.substr(text.rfind(')') + 1));
  std::string field;
  for (int i = 0; i < 11; ++i) rest >> field;
  unsigned long long utime = 0, stime = 0;
  rest >> utime >> stime;
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::size_t serve_process::children() const {
  std::size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), {});
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so parse after the last ')'.
    const auto close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(text.substr(close + 1));
    std::string state;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == pid()) ++count;
  }
  return count;
}

std::string serve_process::log() const { return test::read_file(dir_ / "serve.log"); }

}  // namespace vmterm::bench
