// Running beats against a real redis-server: several beats send each tick exactly once; a
// killed, paused or stopped leader hands over within seconds without a tick lost or doubled;
// Redis restarted mid-run; SIGHUP reloads (a bad file refused). Ticks are identified by the
// x-vmterm-beat-tick header of each message in the queue.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "process.hpp"
#include "redis_server.hpp"
#include "temp_dir.hpp"

using namespace vmterm::test;
using namespace std::chrono_literals;

namespace {

struct fixture {
  redis_server redis;
  temp_dir dir{"vmterm-beat-run"};
  std::vector<std::unique_ptr<child_process>> beats;

  explicit fixture(const std::string& every = "50ms") {
    write_file(dir / "s.toml", "[t]\ntask = \"t\"\nevery = \"" + every + "\"\n");
  }

  child_process& start(std::string lease = "1s") {
    const auto n = beats.size();
    beats.push_back(std::make_unique<child_process>(spawn_options{
        .argv = {(bin_dir() / "vmterm-beat").string(), "--schedule", (dir / "s.toml").string(),
                 "--broker", redis.url(), "--lease", lease},
        .env = {{"OTEL_TRACES_EXPORTER", "none"}, {"VMTERM_LOG_FORMAT", "text"}},
        .stderr_file = dir / ("beat" + std::to_string(n) + ".log")}));
    return *beats.back();
  }

  std::string cli(std::vector<std::string> args) const {
    std::vector<std::string> argv{"redis-cli", "-p", std::to_string(redis.port())};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run(argv);
    while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
    return r.out;
  }

  /// tick (ms) -> how many messages carry it.
  std::map<long long, int> ticks() const {
    std::map<long long, int> out;
    const auto text = cli({"LRANGE", "celery", "0", "-1"});
    std::size_t pos = 0;
    while (pos < text.size()) {
      auto nl = text.find('\n', pos);
      if (nl == std::string::npos) nl = text.size();
      const auto j = nlohmann::json::parse(text.substr(pos, nl - pos));
      ++out[std::stoll(j["headers"]["x-vmterm-beat-tick"].get<std::string>())];
      pos = nl + 1;
    }
    return out;
  }

  /// The pid in the leader's token ("host:pid:random"), 0 when none.
  pid_t leader_pid() const {
    const auto token = cli({"GET", "vmterm.beat:leader"});
    const auto a = token.find(':');
    const auto b = token.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) return 0;
    return static_cast<pid_t>(std::stol(token.substr(a + 1, b - a - 1)));
  }

  child_process* by_pid(pid_t pid) {
    for (auto& b : beats) {
      if (b->pid() == pid) return b.get();
    }
    return nullptr;
  }
};

/// Every tick once, and no gap between the first and the last.
void check_exactly_once(const std::map<long long, int>& ticks, long long step_ms) {
  REQUIRE_FALSE(ticks.empty());
  int doubled = 0, missing = 0;
  for (const auto& [t, n] : ticks) doubled += n > 1;
  for (auto t = ticks.begin()->first; t <= ticks.rbegin()->first; t += step_ms) {
    missing += !ticks.contains(t);
  }
  INFO("ticks " << ticks.size() << " from " << ticks.begin()->first);
  CHECK(doubled == 0);
  CHECK(missing == 0);
}

}  // namespace

TEST_CASE("three beats at 50 ms send every tick exactly once", "[e2e][beat][redis]") {
  fixture f;
  for (int i = 0; i < 3; ++i) f.start();
  std::this_thread::sleep_for(12s);
  const auto t = f.ticks();
  CHECK(t.size() >= 200);
  check_exactly_once(t, 50);
}

TEST_CASE("SIGKILL of the leader: a standby takes over within 5 s, no tick lost or doubled",
          "[e2e][beat][redis]") {
  fixture f;
  for (int i = 0; i < 3; ++i) f.start();
  std::this_thread::sleep_for(2s);
  for (int round = 0; round < 2; ++round) {
    const auto pid = f.leader_pid();
    REQUIRE(pid != 0);
    auto* leader = f.by_pid(pid);
    REQUIRE(leader != nullptr);
    leader->signal(SIGKILL);
    const auto killed = std::chrono::steady_clock::now();
    while (f.leader_pid() == pid || f.leader_pid() == 0) {
      REQUIRE(std::chrono::steady_clock::now() - killed < 5s);
      std::this_thread::sleep_for(20ms);
    }
    const auto takeover = std::chrono::steady_clock::now() - killed;
    INFO("takeover " << std::chrono::duration_cast<std::chrono::milliseconds>(takeover).count());
    CHECK(takeover <= 5s);
    f.start();  // a new standby, as systemd would restart it
    std::this_thread::sleep_for(2s);
  }
  check_exactly_once(f.ticks(), 50);
}

TEST_CASE("a leader paused past its lease steps down without a double send", "[e2e][beat][redis]") {
  fixture f;
  for (int i = 0; i < 2; ++i) f.start();
  std::this_thread::sleep_for(2s);
  const auto pid = f.leader_pid();
  REQUIRE(pid != 0);
  auto* leader = f.by_pid(pid);
  REQUIRE(leader != nullptr);
  leader->signal(SIGSTOP);
  std::this_thread::sleep_for(2500ms);
  CHECK(f.leader_pid() != pid);
  leader->signal(SIGCONT);
  std::this_thread::sleep_for(2s);
  CHECK(f.leader_pid() != pid);
  check_exactly_once(f.ticks(), 50);
}

TEST_CASE("SIGTERM releases the lease at once and exits 0", "[e2e][beat][redis]") {
  fixture f;
  auto& a = f.start("30s");
  std::this_thread::sleep_for(1s);
  REQUIRE(f.leader_pid() == a.pid());
  a.signal(SIGTERM);
  const auto start = std::chrono::steady_clock::now();
  while (a.running()) {
    REQUIRE(std::chrono::steady_clock::now() - start < 3s);
    std::this_thread::sleep_for(10ms);
  }
  CHECK(a.exit_code() == 0);
  CHECK(f.cli({"EXISTS", "vmterm.beat:leader"}) == "0");
}

TEST_CASE("ticks resume after Redis restarts", "[e2e][beat][redis]") {
  fixture f;
  f.start();
  std::this_thread::sleep_for(1500ms);
  REQUIRE_FALSE(f.ticks().empty());
  f.redis.restart();  // no persistence: the queue starts empty
  std::this_thread::sleep_for(4s);
  const auto t = f.ticks();
  CHECK(t.size() >= 20);
  check_exactly_once(t, 50);
}

TEST_CASE("SIGHUP reloads a good schedule and refuses a bad one, keeping the old",
          "[e2e][beat][redis]") {
  fixture f("100ms");
  auto& a = f.start();
  std::this_thread::sleep_for(1s);
  write_file(f.dir / "s.toml", "[t]\ntask = \"t\"\nevery = \"nope\"\n");
  a.signal(SIGHUP);
  std::this_thread::sleep_for(500ms);
  write_file(f.dir / "s.toml",
             "[t]\ntask = \"t\"\nevery = \"200ms\"\n[u]\ntask = \"u\"\nevery = \"1s\"\n");
  a.signal(SIGHUP);
  std::this_thread::sleep_for(1500ms);
  const auto log = read_file(f.dir / "beat0.log");
  CHECK(log.find("schedule reload refused; keeping the old one") != std::string::npos);
  const bool names_input = log.find("every \\\"nope\\\"") != std::string::npos ||
                           log.find("every \"nope\"") != std::string::npos;
  CHECK(names_input);
  CHECK(log.find("schedule reloaded") != std::string::npos);
  CHECK(a.running());
}

TEST_CASE("status shows the leader and each entry's last and next run", "[e2e][beat][redis]") {
  fixture f("100ms");
  auto& a = f.start();
  std::this_thread::sleep_for(1500ms);
  const auto r = run_tool("vmterm-beat", {"--schedule", (f.dir / "s.toml").string(), "--broker",
                                          f.redis.url(), "status", "--json"});
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["leader"].get<std::string>().find(":" + std::to_string(a.pid()) + ":") !=
        std::string::npos);
  CHECK(j["lease_ms_left"].get<long long>() > 0);
  REQUIRE(j["entries"].size() == 1);
  CHECK(j["entries"][0]["name"] == "t");
  CHECK(j["entries"][0]["last_run_at"].is_string());
  const auto text = run_tool("vmterm-beat", {"--schedule", (f.dir / "s.toml").string(), "--broker",
                                             f.redis.url(), "status"});
  CHECK(text.out.starts_with("leader: "));
  CHECK(text.out.find("\n[t] last 20") != std::string::npos);
}

TEST_CASE("status exits 1 when Redis cannot be reached", "[e2e][beat]") {
  temp_dir dir;
  write_file(dir / "s.toml", "[t]\ntask = \"t\"\nevery = \"1s\"\n");
  const auto r = run_tool("vmterm-beat", {"--schedule", (dir / "s.toml").string(), "--broker",
                                          "redis://127.0.0.1:1/0", "status"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.starts_with("vmterm-beat: redis 'redis://127.0.0.1:1/0'"));
  CHECK(r.err.ends_with("; start redis-server or fix --broker\n"));
}
