// Running beats against a real redis-server: several beats send each tick exactly once; a
// killed, paused or stopped leader hands over within seconds without a tick lost or doubled;
// Redis restarted mid-run; SIGHUP reloads (a bad file refused). Ticks are identified by the
// x-vmterm-beat-tick header of each message in the queue.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "ports.hpp"
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

  child_process& start(std::string lease = "1s", std::vector<std::string> extra = {}) {
    const auto n = beats.size();
    std::vector<std::string> argv{(bin_dir() / "vmterm-beat").string(),
                                  "--schedule",
                                  (dir / "s.toml").string(),
                                  "--broker",
                                  redis.url(),
                                  "--lease",
                                  lease};
    argv.insert(argv.end(), extra.begin(), extra.end());
    beats.push_back(std::make_unique<child_process>(
        spawn_options{.argv = argv,
                      .env = {{"OTEL_TRACES_EXPORTER", "none"}, {"VMTERM_LOG_FORMAT", "text"}},
                      .stderr_file = dir / ("beat" + std::to_string(n) + ".log")}));
    return *beats.back();
  }

  /// start() with --metrics-listen on a free loopback port (metrics_port, metrics_host).
  std::uint16_t metrics_port = 0;
  std::string metrics_host;
  child_process& start_with_metrics() {
    metrics_port = free_loopback_port();
    metrics_host = "127.0.0.1:" + std::to_string(metrics_port);
    return start("1s", {"--metrics-listen", metrics_host});
  }
  [[nodiscard]] std::string scrape_metrics() const;

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

  /// task name -> how many messages of it are in the queue.
  std::map<std::string, std::size_t> tasks_map() const {
    std::map<std::string, std::size_t> out;
    const auto text = cli({"LRANGE", "celery", "0", "-1"});
    std::size_t pos = 0;
    while (pos < text.size()) {
      auto nl = text.find('\n', pos);
      if (nl == std::string::npos) nl = text.size();
      ++out[nlohmann::json::parse(text.substr(pos, nl - pos))["headers"]["task"]
                .get<std::string>()];
      pos = nl + 1;
    }
    return out;
  }
  struct task_counts {
    std::map<std::string, std::size_t> m;
    [[nodiscard]] std::size_t count(const std::string& task) const {
      const auto it = m.find(task);
      return it == m.end() ? 0 : it->second;
    }
  };
  [[nodiscard]] task_counts tasks() const { return {tasks_map()}; }

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

/// GET /metrics on 127.0.0.1:port with a Host header and, when given, a bearer token: the
/// whole response (status line, headers, body).
std::string scrape(std::uint16_t port, const std::string& host, const std::string& token = "") {
  std::string req = "GET /metrics HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n";
  if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
  return tcp_exchange(port, req + "\r\n", 1 << 20, 2s).value_or("");
}

std::string fixture::scrape_metrics() const { return scrape(metrics_port, metrics_host); }

/// The value of the sample line that starts with `series ` (0 when absent).
double sample(const std::string& exposition, const std::string& series) {
  const auto at = exposition.find("\n" + series + " ");
  if (at == std::string::npos) return 0;
  return std::stod(exposition.substr(at + series.size() + 2));
}

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
  auto& a = f.start_with_metrics();
  REQUIRE(wait_until([&] { return f.tasks().count("t") >= 3; }, 5s));
  // A bad file, then no file at all: both refused, and the old schedule goes on sending.
  write_file(f.dir / "s.toml", "[t]\ntask = \"t\"\nevery = \"nope\"\n");
  a.signal(SIGHUP);
  std::this_thread::sleep_for(300ms);
  std::filesystem::remove(f.dir / "s.toml");
  a.signal(SIGHUP);
  REQUIRE(wait_until(
      [&] {
        return sample(f.scrape_metrics(),
                      "vmterm_beat_schedule_reloads_total{result=\"refused\"}") == 2;
      },
      5s, 100ms));
  const auto before = f.tasks().count("t");
  std::this_thread::sleep_for(500ms);
  CHECK(f.tasks().count("t") > before);
  CHECK(f.tasks().count("u") == 0);
  // A good file: its new entry sends too.
  write_file(f.dir / "s.toml",
             "[t]\ntask = \"t\"\nevery = \"200ms\"\n[u]\ntask = \"u\"\nevery = \"500ms\"\n");
  a.signal(SIGHUP);
  CHECK(wait_until([&] { return f.tasks().count("u") >= 1; }, 5s));
  const auto metrics = f.scrape_metrics();
  CHECK(sample(metrics, "vmterm_beat_schedule_reloads_total{result=\"ok\"}") == 1);
  CHECK(sample(metrics, "vmterm_beat_schedule_entries") == 2);
  const auto log = read_file(f.dir / "beat0.log");
  CHECK(log.find("schedule reload refused; keeping the old one") != std::string::npos);
  const bool names_input = log.find("every \\\"nope\\\"") != std::string::npos ||
                           log.find("every \"nope\"") != std::string::npos;
  CHECK(names_input);
  CHECK(log.find("No such file or directory") != std::string::npos);
  CHECK(log.find("schedule reloaded") != std::string::npos);
  CHECK(a.running());
}

TEST_CASE("every due tick is counted: sent, skipped or coalesced after a long pause",
          "[e2e][beat][redis]") {
  // A beat stopped for longer than three leases misses ticks; on SIGCONT it steps down, takes
  // the lease again and folds the missed ticks into one send (as Celery does), counting each.
  fixture f("100ms");
  auto& a = f.start_with_metrics();
  REQUIRE(wait_until([&] { return f.ticks().size() >= 3; }, 5s));
  a.signal(SIGSTOP);
  std::this_thread::sleep_for(4s);
  a.signal(SIGCONT);
  REQUIRE(wait_until(
      [&] {
        return sample(f.scrape_metrics(), "vmterm_beat_ticks_coalesced_total{entry=\"t\"}") > 0;
      },
      10s, 100ms));
  // Quiesce: every 1h, so no tick is due any more, then count.
  write_file(f.dir / "s.toml", "[t]\ntask = \"t\"\nevery = \"1h\"\n");
  a.signal(SIGHUP);
  std::this_thread::sleep_for(1s);
  const auto metrics = f.scrape_metrics();
  const auto ticks = f.ticks();
  REQUIRE(ticks.size() >= 3);
  const auto due = (ticks.rbegin()->first - ticks.begin()->first) / 100 + 1;
  const double sent = sample(metrics, "vmterm_beat_ticks_sent_total{entry=\"t\"}");
  const double skipped = sample(metrics, "vmterm_beat_ticks_skipped_total{entry=\"t\"}");
  const double coalesced = sample(metrics, "vmterm_beat_ticks_coalesced_total{entry=\"t\"}");
  INFO("due " << due << " sent " << sent << " skipped " << skipped << " coalesced " << coalesced);
  CHECK(sent == static_cast<double>(ticks.size()));
  CHECK(coalesced >= 20);  // 4 s at 100 ms, less the three leases sent one by one at most
  CHECK(sent + skipped + coalesced == static_cast<double>(due));
  const auto log = read_file(f.dir / "beat0.log");
  CHECK(log.find("missed ticks coalesced into one") != std::string::npos);
  CHECK(log.find("behind schedule: due ticks are sent late") != std::string::npos);
  CHECK(sample(metrics, "vmterm_beat_behind_seconds") == 0);  // caught up
}

TEST_CASE("status without a running beat: no leader, entries never run", "[e2e][beat][redis]") {
  fixture f("1m");
  const auto r = run_tool("vmterm-beat", {"--schedule", (f.dir / "s.toml").string(), "--broker",
                                          f.redis.url(), "status", "--json"});
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.out);
  CHECK(j["leader"].is_null());
  CHECK(j["lease_ms_left"].is_null());
  REQUIRE(j["entries"].size() == 1);
  CHECK(j["entries"][0]["last_run_at"].is_null());
  const auto next = j["entries"][0]["next"].get<std::string>();  // the next whole minute, UTC
  CHECK((next.ends_with(":00Z") || next.ends_with(":00+00:00")));
  const auto text = run_tool("vmterm-beat", {"--schedule", (f.dir / "s.toml").string(), "--broker",
                                             f.redis.url(), "status"});
  CHECK(text.out.starts_with("leader: none\n[t] last never, next "));
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

TEST_CASE("metrics: the leader counts what it sent, the standby leads 0, a token guards them",
          "[e2e][beat][redis]") {
  fixture f;
  const auto p1 = free_loopback_port(), p2 = free_loopback_port();
  write_file(f.dir / "token", "s3cret-token\n");
  auto& a = f.start("1s", {"--metrics-listen", "127.0.0.1:" + std::to_string(p1)});
  REQUIRE(wait_until([&] { return f.leader_pid() == a.pid(); }, 3s));
  f.start("1s", {"--metrics-listen", "127.0.0.1:" + std::to_string(p2), "--token-file",
                 (f.dir / "token").string()});
  std::this_thread::sleep_for(1500ms);
  const auto leader = scrape(p1, "127.0.0.1:" + std::to_string(p1));
  REQUIRE(leader.starts_with("HTTP/1.1 200"));
  CHECK(sample(leader, "vmterm_beat_leader") == 1);
  CHECK(sample(leader, "vmterm_beat_schedule_entries") == 1);
  const double sent = sample(leader, "vmterm_beat_ticks_sent_total{entry=\"t\"}");
  CHECK(sent >= 20);
  CHECK(sample(leader, "vmterm_beat_lease_renewals_total") >= 1);
  CHECK(sample(leader, "vmterm_beat_tick_lateness_seconds_count") == sent);
  // Every send it counted is in the queue (the queue may have a few more by now).
  std::size_t queued = 0;
  for (const auto& [tick, n] : f.ticks()) queued += static_cast<std::size_t>(n);
  CHECK(static_cast<double>(queued) >= sent);
  // A DNS-rebinding page cannot read a loopback endpoint without a token.
  CHECK(scrape(p1, "evil.example:" + std::to_string(p1)).starts_with("HTTP/1.1 403"));

  const auto standby_host = "127.0.0.1:" + std::to_string(p2);
  const auto refused = scrape(p2, standby_host);
  CHECK(refused.starts_with("HTTP/1.1 401"));
  CHECK(refused.find("WWW-Authenticate: Bearer") != std::string::npos);
  const auto standby = scrape(p2, standby_host, "s3cret-token");
  REQUIRE(standby.starts_with("HTTP/1.1 200"));
  CHECK(sample(standby, "vmterm_beat_leader") == 0);
  CHECK(standby.find("vmterm_beat_ticks_sent_total{") == std::string::npos);

  a.signal(SIGKILL);  // the standby takes over: its gauge and counters move
  REQUIRE(wait_until(
      [&] { return sample(scrape(p2, standby_host, "s3cret-token"), "vmterm_beat_leader") == 1; },
      5s, 100ms));
}

TEST_CASE("metrics flags: bad values exit 2 naming the value and the fix", "[e2e][beat]") {
  temp_dir dir;
  write_file(dir / "s.toml", "[t]\ntask = \"t\"\nevery = \"1s\"\n");
  write_file(dir / "empty", "\n");
  const auto s = (dir / "s.toml").string();
  auto r = run_tool("vmterm-beat", {"--schedule", s, "--metrics-listen", "0.0.0.0:9100"});
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "vmterm-beat: --metrics-listen '0.0.0.0:9100': metrics on a non-loopback address need a "
        "token; give --token-file or VMTERM_TOKEN\n");
  r = run_tool("vmterm-beat", {"--schedule", s, "--token-file", (dir / "empty").string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vmterm-beat: --token-file '" + (dir / "empty").string() +
                     "': its first line is empty; write the token into the file\n");
  r = run_tool("vmterm-beat", {"--schedule", s, "--token-file", (dir / "none").string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "vmterm-beat: --token-file '" + (dir / "none").string() +
                     "': no such file or directory; write the token into the file\n");
}

TEST_CASE("many entries with different periods: every tick of each exactly once",
          "[e2e][beat][redis]") {
  fixture f;
  std::string schedule;
  const char* periods[] = {"100ms", "300ms", "1s"};
  for (int i = 0; i < 600; ++i) {
    schedule += "[e" + std::to_string(i) + "]\ntask = \"t" + std::to_string(i) + "\"\nevery = \"" +
                periods[i % 3] + "\"\n";
  }
  write_file(f.dir / "s.toml", schedule);
  auto& a = f.start();
  std::this_thread::sleep_for(3500ms);
  a.signal(SIGTERM);
  REQUIRE(wait_until([&] { return !a.running(); }, 5s));
  // task (one per entry) -> tick -> count, from every message in the queue
  std::map<std::string, std::map<long long, int>> by_entry;
  const auto text = f.cli({"LRANGE", "celery", "0", "-1"});
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    const auto j = nlohmann::json::parse(text.substr(pos, nl - pos));
    ++by_entry[j["headers"]["task"].get<std::string>()]
              [std::stoll(j["headers"]["x-vmterm-beat-tick"].get<std::string>())];
    pos = nl + 1;
  }
  REQUIRE(by_entry.size() == 600);
  for (int i = 0; i < 600; ++i) {
    const auto& ticks = by_entry["t" + std::to_string(i)];
    INFO("entry e" << i);
    const long long step = i % 3 == 0 ? 100 : i % 3 == 1 ? 300 : 1000;
    CHECK(ticks.size() >= static_cast<std::size_t>(2000 / step));
    check_exactly_once(ticks, step);
  }
}
