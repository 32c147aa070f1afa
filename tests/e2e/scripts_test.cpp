// scripts/run, scripts/setup and scripts/test as a user meets them: exit codes and messages.
#include <catch2/catch.hpp>

#include "ports.hpp"
#include "process.hpp"
#include "temp_dir.hpp"

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

using namespace vmterm::test;

namespace {

run_result script(const std::string& name, const std::vector<std::string>& args,
                  run_options opt = {}) {
  std::vector<std::string> argv{(source_dir() / "scripts" / name).string()};
  argv.insert(argv.end(), args.begin(), args.end());
  if (opt.timeout == run_options{}.timeout) opt.timeout = std::chrono::seconds(120);
  return run(argv, opt);
}

/// scripts/run against this build, with its own var dir, Redis port and vmterm-serve address
/// (never the default 8000, which a running stack may hold).
run_options stack_env(const temp_dir& var, std::uint16_t redis_port,
                      std::uint16_t serve_port = free_loopback_port()) {
  run_options o;
  o.env["VMTERM_BUILD_DIR"] = bin_dir().parent_path().string();
  o.env["VMTERM_VAR_DIR"] = var.path().string();
  o.env["VMTERM_REDIS_PORT"] = std::to_string(redis_port);
  o.env["VMTERM_LISTEN"] = "127.0.0.1:" + std::to_string(serve_port);
  o.env["VMTERM_PROMETHEUS_PORT"] = std::to_string(free_loopback_port());
  o.env["VMTERM_METRICS_PORT"] = std::to_string(free_loopback_port());
  o.env["VMTERM_BEAT_METRICS_PORT"] = std::to_string(free_loopback_port());
  o.env["VMTERM_NODE_EXPORTER_PORT"] = std::to_string(free_loopback_port());
  o.env["OTEL_TRACES_EXPORTER"] = "none";
  for (const char* name : {"VMTERM_TOKEN", "VMTERM_TOKEN_FILE", "VMTERM_BASE_PATH"}) {
    o.env[name] = std::nullopt;
  }
  return o;
}

bool serve_built() { return std::filesystem::exists(bin_dir() / "vmterm-serve"); }

/// scripts/run --check while another process (a redis-server) holds `port` on 127.0.0.1.
run_result check_with_port_held(const temp_dir& var, std::uint16_t port, const run_options& opt) {
  child_process holder({.argv = {"redis-server", "--port", std::to_string(port), "--bind",
                                 "127.0.0.1", "--save", "", "--dir", var.path().string()}});
  REQUIRE(wait_until([&] { return tcp_exchange(port, "PING\r\n", 7).has_value(); },
                     std::chrono::seconds(10)));
  return script("run", {"--check", "--no-setup", "--no-build"}, opt);
}

/// scripts/run (--no-setup --no-build, plus `flags`) in the background, its output in
/// var/out.log, once it says "running;".
std::unique_ptr<child_process> start_stack(const temp_dir& var, const run_options& opt,
                                           std::vector<std::string> flags = {}) {
  std::vector<std::string> argv{(source_dir() / "scripts/run").string(), "--no-setup",
                                "--no-build"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  auto stack = std::make_unique<child_process>(spawn_options{.argv = argv,
                                                             .env = opt.env,
                                                             .stdout_file = var / "out.log",
                                                             .stderr_file = var / "out.log"});
  REQUIRE(
      wait_until([&] { return read_file(var / "out.log").find("running;") != std::string::npos; },
                 std::chrono::seconds(30)));
  return stack;
}

}  // namespace

TEST_CASE("scripts/run --check starts the stack that exists, names what is not built, and stops",
          "[e2e][run]") {
  temp_dir var;
  const auto port = free_loopback_port();
  auto env = stack_env(var, port);
  env.env["OTEL_TRACES_EXPORTER"] = "file";  // as a user runs it: the check prints its trace
  const auto r = script("run", {"--check", "--no-setup", "--no-build"}, env);
  INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("vmterm: redis-server    redis://127.0.0.1:" +
                                    std::to_string(port) + "/0\n"));
  CHECK_THAT(r.out, Catch::Contains("check passed"));
  for (const auto* tool :
       {"vmterm-serve", "vmterm-worker", "vmterm-beat", "vmterm-health", "vmterm-trace"}) {
    const bool built = std::filesystem::exists(bin_dir() / tool);
    CHECK((r.out.find(std::string("not built yet: ") + tool) != std::string::npos) == !built);
  }
  CHECK_THAT(r.out, Catch::Contains("vmterm: traces          " + (var / "traces.jsonl").string() +
                                    "; read: "));
  CHECK_THAT(r.out, Catch::Contains("vmterm: logs            " + (var / "log").string() +
                                    "/PART.log (JSON lines)\n"));
  // The probe's trace is printed whole: the server's span under the probe's GET, the worker's
  // run under the task it sent (both export in batches, after the probe has exited).
  if (std::filesystem::exists(bin_dir() / "vmterm-health") &&
      std::filesystem::exists(bin_dir() / "vmterm-trace")) {
    CHECK_THAT(r.out, Catch::Contains("vmterm: its trace (health.run):"));
    CHECK(std::regex_search(r.out, std::regex("GET /health-check/ +vmterm-serve +server")));
    CHECK(std::regex_search(r.out, std::regex("run/noop +vmterm-worker +consumer")));
  }
  // Everything it started is stopped: the Redis port is free again.
  CHECK_FALSE(tcp_exchange(port, "PING\r\n", 7).has_value());
}

TEST_CASE("scripts/run prints vmterm-serve's login URL and --check asks it for /readyz",
          "[e2e][run][serve]") {
  if (!serve_built()) return;  // covered by the test above: "not built yet: vmterm-serve"
  temp_dir var;
  const auto redis_port = free_loopback_port();
  const auto serve_port = free_loopback_port();
  const auto r = script("run", {"--check", "--no-setup", "--no-build"},
                        stack_env(var, redis_port, serve_port));
  INFO("stdout:\n" << r.out << "\nstderr:\n" << r.err);
  REQUIRE(r.exit_code == 0);
  const auto base = "http://127.0.0.1:" + std::to_string(serve_port) + "/";
  CHECK_THAT(r.out, Catch::Contains("vmterm: vmterm-serve    browser terminal: " + base + "\n"));
  CHECK_THAT(r.out, Catch::Contains("\nvmterm: open " + base + "?token="));
  CHECK_THAT(r.out, Catch::Contains("vmterm: vmterm-serve answers " + base + "readyz\n"));
  CHECK_FALSE(tcp_exchange(serve_port, "GET /healthz HTTP/1.0\r\n\r\n", 12).has_value());
}

TEST_CASE("scripts/run refuses a vmterm-serve port in use with exit 2", "[e2e][run][serve]") {
  if (!serve_built()) return;
  temp_dir var;
  const auto serve_port = free_loopback_port();
  const auto r =
      check_with_port_held(var, serve_port, stack_env(var, free_loopback_port(), serve_port));
  CHECK(r.exit_code == 2);
  CHECK(r.err == "scripts/run: port " + std::to_string(serve_port) +
                     " on 127.0.0.1 (VMTERM_LISTEN) is in use; stop what holds it or set "
                     "VMTERM_LISTEN, e.g. 127.0.0.1:8001\n");
}

TEST_CASE("scripts/run stops everything and exits 0 on SIGTERM", "[e2e][run]") {
  temp_dir var;
  const auto port = free_loopback_port();
  auto stack = start_stack(var, stack_env(var, port));
  REQUIRE(tcp_exchange(port, "PING\r\n", 7) == std::optional<std::string>("+PONG\r\n"));
  ::kill(stack->pid(), SIGTERM);  // the script only, as Ctrl-C's handler would see it
  REQUIRE(wait_until([&] { return !stack->running(); }, std::chrono::seconds(15)));
  CHECK(stack->exit_code() == 0);
  CHECK_THAT(read_file(var / "out.log"), Catch::Contains("vmterm: stopped"));
  CHECK_FALSE(tcp_exchange(port, "PING\r\n", 7).has_value());
}

/// GET a path from a loopback HTTP server (HTTP/1.0, read to the close); "" when it failed.
std::string http_get(std::uint16_t port, const std::string& path) {
  return tcp_exchange(port, "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", 1u << 22, 5s)
      .value_or("");
}

TEST_CASE(
    "scripts/run --fast: Prometheus scrapes the tools with the rules, beat ticks every "
    "5 s, logs are JSON lines under var/log",
    "[e2e][run][prometheus]") {
  if (!serve_built()) return;
  temp_dir var;
  auto opt = stack_env(var, free_loopback_port());
  opt.env["VMTERM_SCRAPE_INTERVAL"] = "1s";
  const auto prom_port = static_cast<std::uint16_t>(std::stoi(*opt.env["VMTERM_PROMETHEUS_PORT"]));
  auto stack = start_stack(var, opt, {"--fast"});
  const auto out = read_file(var / "out.log");
  INFO(out);
  CHECK_THAT(out, Catch::Contains("vmterm: prometheus      http://127.0.0.1:" +
                                  std::to_string(prom_port) + " (rules: compose/prometheus/rules"));
  CHECK_THAT(out, Catch::Contains("vmterm: vmterm-beat     scheduler, health_check every 5 s: " +
                                  (var / "beat-schedule-fast.toml").string() +
                                  "; metrics http://127.0.0.1:" +
                                  *opt.env["VMTERM_BEAT_METRICS_PORT"] + "/metrics\n"));
  CHECK_THAT(read_file(var / "beat-schedule-fast.toml"), Catch::Contains("every = \"5s\""));
  // Every scrape target is up, the project's rules are loaded.
  std::string targets;
  const bool all_up = wait_until(
      [&] {
        targets = http_get(prom_port, "/api/v1/targets");
        for (const auto* job :
             {"vmterm-serve", "vmterm-worker", "vmterm-beat", "node", "prometheus"}) {
          const auto at = targets.find(std::string("\"job\":\"") + job + "\"");
          if (at == std::string::npos) return false;
          const std::string up = R"("health":"up")";
          const auto health = targets.find("\"health\":", at);
          if (health == std::string::npos || targets.compare(health, up.size(), up) != 0)
            return false;
        }
        return true;
      },
      20s, 250ms);
  INFO(targets);
  CHECK(all_up);
  CHECK_THAT(http_get(prom_port, "/api/v1/rules"), Catch::Contains("VmtermBeatWithoutLeader"));
  // The beat's 5 s ticks reach the worker, and Prometheus sees its counter.
  std::string ticks;
  CHECK(wait_until(
      [&] {
        ticks = http_get(prom_port,
                         "/api/v1/query?query=vmterm_worker_tasks_succeeded_total%7Btask%3D%22"
                         "health_check%22%7D");
        return ticks.find("\"value\":[") != std::string::npos;
      },
      20s, 500ms));
  INFO(ticks);
  // JSON lines: every line of the vmterm tools', Prometheus's and the node exporter's logs.
  for (const auto* part : {"vmterm-serve", "vmterm-worker", "prometheus", "node-exporter"}) {
    const auto log = read_file(var / "log" / (std::string(part) + ".log"));
    INFO(part << ":\n" << log);
    CHECK_FALSE(log.empty());
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("vmterm-serve: open ", 0) == 0) continue;  // its start line, on stderr
      CHECK((line.size() > 1 && line.front() == '{' && line.back() == '}'));
    }
  }
  ::kill(stack->pid(), SIGTERM);
  REQUIRE(wait_until([&] { return !stack->running(); }, std::chrono::seconds(15)));
  CHECK(stack->exit_code() == 0);
  CHECK(http_get(prom_port, "/-/ready").empty());  // Prometheus was stopped too
}

TEST_CASE("scripts/run refuses a Prometheus port in use with exit 2", "[e2e][run][prometheus]") {
  temp_dir var;
  auto opt = stack_env(var, free_loopback_port());
  const auto port = free_loopback_port();
  opt.env["VMTERM_PROMETHEUS_PORT"] = std::to_string(port);
  const auto r = check_with_port_held(var, port, opt);
  CHECK(r.exit_code == 2);
  CHECK(r.err == "scripts/run: port " + std::to_string(port) +
                     " on 127.0.0.1 (VMTERM_PROMETHEUS_PORT) is in use; stop what holds it or "
                     "choose another\n");
}

TEST_CASE("scripts/run refuses a Redis port in use with exit 2 and says how to fix it",
          "[e2e][run]") {
  temp_dir var;
  const auto r1_port = free_loopback_port();
  auto opt = stack_env(var, r1_port);
  const auto r = check_with_port_held(var, r1_port, opt);
  CHECK(r.exit_code == 2);
  CHECK(r.err == "scripts/run: port " + std::to_string(r1_port) +
                     " on 127.0.0.1 (VMTERM_REDIS_PORT) is in use; stop what holds it or choose "
                     "another\n");
}

TEST_CASE("scripts/run rejects bad input with exit 2 and a message naming it", "[e2e][run]") {
  temp_dir var;
  const auto bad_option = script("run", {"--bogus"});
  CHECK(bad_option.exit_code == 2);
  CHECK(bad_option.err == "scripts/run: unknown option '--bogus'; see scripts/run --help\n");
  auto opt = stack_env(var, 1);
  opt.env["VMTERM_REDIS_PORT"] = "99999x";
  const auto bad_port = script("run", {"--check", "--no-setup", "--no-build"}, opt);
  CHECK(bad_port.exit_code == 2);
  CHECK(bad_port.err ==
        "scripts/run: VMTERM_REDIS_PORT='99999x' is not a port number; use 1-65535 or unset it\n");
}

TEST_CASE("scripts/setup finds every package installed and changes nothing", "[e2e][setup]") {
  const auto r = script("setup", {"--check"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Matches("scripts/setup: all [0-9]+ packages are installed\n"));
  const auto list = script("setup", {"--list"});
  for (const auto* p : {"redis-server", "openssh-server", "python3-celery", "prometheus",
                        "chromium", "libboost1.81-dev", "libssh2-1-dev", "libhiredis-dev"}) {
    CHECK_THAT(list.out, Catch::Contains(std::string(p) + "\n"));
  }
}

TEST_CASE("every script answers --help and rejects unknown options with exit 2", "[e2e]") {
  for (const auto* name : {"setup", "test", "run", "bench", "hot_text.py"}) {
    INFO(name);
    const auto help = script(name, {"--help"});
    CHECK(help.exit_code == 0);
    CHECK_THAT(help.out, Catch::Contains(std::string("scripts/") + name));
    const auto bad = script(name, {"--no-such-flag"});
    CHECK(bad.exit_code == 2);
    CHECK_THAT(bad.err, Catch::Contains("unknown option '--no-such-flag'"));
  }
}

TEST_CASE("configure stops on a missing dependency and names the Debian package to install",
          "[e2e][build]") {
  temp_dir build;
  for (const auto& [pkg, debian] : {std::pair{"CLI11", "libcli11-dev"},
                                    std::pair{"Boost", "libboost1.81-dev libboost-url1.81-dev"},
                                    std::pair{"tl-expected", "libexpected-dev"}}) {
    INFO(pkg);
    const auto r = run({"cmake", "-S", source_dir().string(), "-B", (build / pkg).string(),
                        std::string("-DCMAKE_DISABLE_FIND_PACKAGE_") + pkg + "=TRUE"},
                       {.timeout = std::chrono::seconds(120)});
    CHECK(r.exit_code != 0);
    // CMake wraps long messages; compare with white space folded.
    std::string err;
    for (const char c : r.err) {
      const bool space = c == ' ' || c == '\n';
      if (!space || (!err.empty() && err.back() != ' ')) err += space ? ' ' : c;
    }
    CHECK_THAT(
        err, Catch::Contains(std::string("install it with `sudo apt-get install ") + debian + "`"));
  }
}

TEST_CASE("scripts/hot_text.py names a build it cannot profile and the fix, with exit 2",
          "[e2e][hot_text]") {
  temp_dir build;
  const auto dir = build.path().string();
  const auto none = script("hot_text.py", {dir});
  CHECK(none.exit_code == 2);
  CHECK(none.err == "scripts/hot_text.py: no " + dir + "/hot_text/*.txt; configure " + dir +
                        " as a lean build (no VMTERM_SANITIZE, VMTERM_HOT_TEXT=ON) and build its "
                        "tools first\n");
  const auto extra = script("hot_text.py", {dir, "more"});
  CHECK(extra.exit_code == 2);
  CHECK(extra.err ==
        "scripts/hot_text.py: unexpected argument 'more' (one BUILD_DIR); see "
        "scripts/hot_text.py --help\n");
  const auto ours = bin_dir().parent_path();
  if (!std::filesystem::exists(ours / "hot_text")) return;  // not a lean build: nothing listed
  const auto only = script("hot_text.py", {ours.string(), "--only", "nosuch"});
  CHECK(only.exit_code == 2);
  CHECK_THAT(only.err, Catch::Matches("scripts/hot_text\\.py: --only nosuch: no target of .* is "
                                      "profiled by it; choose from [a-z,]+\n"));
}

namespace {

/// The first `n` input sections of the output section .text in a GNU ld map: (section, file),
/// an archive member written "lib.a:member.o" as a linker script names it.
std::vector<std::pair<std::string, std::string>> first_text_sections(
    const std::filesystem::path& map, std::size_t n) {
  std::ifstream in(map);
  std::string line;
  while (std::getline(in, line) && !std::regex_search(line, std::regex(R"(^\.text(\s|$))"))) {
  }
  std::vector<std::pair<std::string, std::string>> out;
  const std::regex entry(R"(^ (\.\S+)?\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S.*)$)");
  std::string pending;
  while (out.size() < n && std::getline(in, line) && !line.starts_with(".")) {
    std::smatch m;
    if (std::regex_match(line, m, std::regex(R"(^ (\.\S+)\s*$)"))) {
      pending = m[1];
    } else if (std::regex_match(line, m, entry)) {
      const std::string name = m[1].matched ? m[1].str() : pending;
      pending.clear();
      if (name.empty() || std::stoul(m[2].str(), nullptr, 16) == 0) continue;
      out.emplace_back(name,
                       std::regex_replace(m[3].str(), std::regex(R"(\.a\((.*)\)$)"), ".a:$1"));
    }
  }
  return out;
}

/// Whether one line of a hot list ("*(section)" or "*file-suffix(section)") names that section.
bool names(const std::string& pattern, const std::string& section, const std::string& file) {
  const auto open = pattern.find('(');
  if (open == std::string::npos || pattern.substr(open + 1, pattern.size() - open - 2) != section) {
    return false;
  }
  const auto suffix = pattern.substr(1, open - 1);  // after the leading '*'
  return file.ends_with(suffix);
}

}  // namespace

TEST_CASE("every hot list is linked first in .text of its target (cmake/hot_text.cmake)",
          "[e2e][hot_text]") {
  const auto dir = bin_dir().parent_path() / "hot_text";
  if (!std::filesystem::exists(dir)) {
    WARN("not a lean build: no hot lists linked");
    return;
  }
  int targets = 0;
  for (const auto& manifest : std::filesystem::directory_iterator(dir)) {
    if (manifest.path().extension() != ".txt") continue;
    std::map<std::string, std::string> m;
    std::ifstream in(manifest.path());
    for (std::string line; std::getline(in, line);) {
      const auto eq = line.find('=');
      if (eq != std::string::npos) m[line.substr(0, eq)] = line.substr(eq + 1);
    }
    INFO(manifest.path().string() << ": list " << m["list"] << ", map " << m["map"]);
    if (!std::filesystem::exists(m["map"])) continue;  // that target is not built here
    std::vector<std::string> list;
    std::ifstream list_in(m["list"]);
    for (std::string line; std::getline(list_in, line);) {
      if (!line.empty() && line[0] != '#') list.push_back(line);
    }
    REQUIRE(list.size() >= 100);
    // The first sections of .text are ones the list names: the list was placed at its top.
    const auto first = first_text_sections(m["map"], 20);
    REQUIRE(first.size() == 20);
    for (const auto& [section, file] : first) {
      INFO(section << " from " << file);
      CHECK(std::any_of(list.begin(), list.end(),
                        [&](const std::string& p) { return names(p, section, file); }));
    }
    ++targets;
  }
  CHECK(targets >= 1);
}
