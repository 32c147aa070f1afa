// serve_bench: vmterm-serve end to end with a client that acks as the page (xterm.js) does.
// Each run starts a fresh vmterm-serve on a free loopback port with a random token and
// measures throughput of 100 MB through the PTY, keystroke echo, and server memory per idle
// session; beside it, the same shell on a PTY driven directly (the floor). Prints one table of
// medians (see report.hpp). Exit 1 when a run fails (a session that did not open, output that
// never came), so that `--smoke` under ctest catches a broken benchmark or server.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <fstream>
#include <sstream>

#include "process.hpp"
#include "report.hpp"

namespace {

using namespace vmterm::bench;

struct options {
  std::string serve = (vmterm::test::bin_dir() / "vmterm-serve").string();
  std::string shell = "bash --norc --noprofile";
  int runs = 5;
  std::uint64_t megabytes = 100;
  int keystrokes = 2000;
  std::size_t sessions = 300;
  std::size_t most = 500;
  std::vector<std::string> only{"throughput", "echo", "idle"};
  bool smoke = false;
};

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

/// Hundreds of sessions need more descriptors than the usual soft limit of 1024 (the server
/// holds a socket and a PTY per session and inherits this limit).
void raise_open_files() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  limit.rlim_cur = limit.rlim_max;
  (void)::setrlimit(RLIMIT_NOFILE, &limit);
}

bool wants(const options& opt, const std::string& what) {
  return std::find(opt.only.begin(), opt.only.end(), what) != opt.only.end();
}

/// Runs `body` once, reporting a failure on stderr; false when it threw.
template <class F>
bool attempt(const std::string& what, int run, F&& body) {
  try {
    body();
    return true;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "serve_bench: %s, run %d: %s\n", what.c_str(), run, e.what());
    return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  CLI::App app{
      "serve_bench: vmterm-serve throughput, keystroke echo and idle memory, with the "
      "PTY driven directly beside it"};
  app.add_option("--serve", opt.serve, "the vmterm-serve binary")->capture_default_str();
  app.add_option("--shell", opt.shell, "each session's program (vmterm-serve --command)")
      ->capture_default_str();
  app.add_option("--runs", opt.runs, "runs per measurement")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--megabytes", opt.megabytes, "output per throughput run, MB")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--keystrokes", opt.keystrokes, "keystrokes in all, split over the runs")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--sessions", opt.sessions, "idle sessions at which memory is read")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--most", opt.most, "then open sessions up to this many")->capture_default_str();
  app.add_option("--only", opt.only, "throughput, echo, idle")
      ->delimiter(',')
      ->check(CLI::IsMember({"throughput", "echo", "idle"}));
  app.add_flag("--smoke", opt.smoke,
               "one tiny run of each (1 MB, 20 keystrokes, 10 sessions): for ctest");
  CLI11_PARSE(app, argc, argv);
  if (opt.smoke) {
    opt.runs = 1, opt.megabytes = 1, opt.keystrokes = 20, opt.sessions = 10, opt.most = 12;
  }
  raise_open_files();

  const serve_config config{opt.serve, opt.shell, std::max<std::size_t>(opt.most, 16) + 8};
  const auto shell = words(opt.shell);
  const auto bytes = std::to_string(opt.megabytes * 1000000);
  figures f;
  f.runs = opt.runs;
  {
    std::ifstream load("/proc/loadavg");
    std::string a, b, c;
    load >> a >> b >> c;
    f.load_before = a + " " + b + " " + c;
  }
  bool ok = true;
  if (wants(opt, "throughput")) {
    f.workloads = {
        {std::to_string(opt.megabytes) + " MB one long line",
         "head -c " + bytes + " /dev/zero | tr '\\0' a"},
        {"seq 1 15000000 (first " + std::to_string(opt.megabytes) + " MB)",
         "seq 1 15000000 | head -c " + bytes},
    };
    f.serve_throughput.resize(f.workloads.size());
    f.floor_throughput.resize(f.workloads.size());
    for (std::size_t w = 0; w < f.workloads.size(); ++w) {
      for (int run = 1; run <= opt.runs; ++run) {
        ok &= attempt(f.workloads[w].name, run, [&] {
          f.serve_throughput[w].push_back(throughput_serve(config, f.workloads[w]));
        });
        ok &= attempt(f.workloads[w].name + " (floor)", run, [&] {
          f.floor_throughput[w].push_back(throughput_floor(shell, f.workloads[w]));
        });
      }
    }
  }
  if (wants(opt, "echo")) {
    const int per_run = std::max(1, opt.keystrokes / opt.runs);
    for (int run = 1; run <= opt.runs; ++run) {
      ok &= attempt("echo", run, [&] {
        const auto s = echo_serve(config, per_run);
        f.serve_echo_ms.insert(f.serve_echo_ms.end(), s.begin(), s.end());
      });
      ok &= attempt("echo (floor)", run, [&] {
        const auto s = echo_floor(shell, per_run);
        f.floor_echo_ms.insert(f.floor_echo_ms.end(), s.begin(), s.end());
      });
    }
  }
  if (wants(opt, "idle")) {
    for (int run = 1; run <= opt.runs; ++run) {
      ok &= attempt("idle sessions", run, [&] {
        f.idle.push_back(idle_serve(config, opt.sessions, std::max(opt.most, opt.sessions)));
        if (f.idle.back().errors_at_target > 0) {
          throw std::runtime_error(std::to_string(f.idle.back().errors_at_target) +
                                   " errors before " + std::to_string(opt.sessions) +
                                   " sessions: " + f.idle.back().errors.front());
        }
      });
    }
  }
  print_report(stdout, f);
  return ok ? 0 : 1;
}
