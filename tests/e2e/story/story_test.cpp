// The story end to end, on the local stack exactly as scripts/run starts it (--fast: the beat
// ticks every 5 s), with a second vmterm-beat beside the first. Each part reads its trace back
// with `vmterm-trace --file var/traces.jsonl --json show` and checks: ONE trace id, 0 orphan
// spans, every span's service.name the tool that made it, the parents and kinds listed, no
// terminal bytes or task arguments anywhere; then Prometheus shows the matching counters move.
//   1. a browser session: login, type, resize, exit (GET /ws/terminal/ → WS /ws/terminal/ with
//      its start, resize and exit events);
//   2. a beat tick: apply_async/health_check → EVALSHA (the LPUSH) → run/health_check → GET →
//   serve's
//      GET /health-check/ → PING;
//   3. a vmterm-health probe: health.run → GET → serve's GET /health-check/, and health.redis.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <sstream>
#include <thread>

#include "local_stack.hpp"
#include "ports.hpp"
#include "ws_client.hpp"

using namespace vmterm::test;
using namespace vmterm::test::stack;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

/// Every trace of the stack's file, as vmterm-trace --json prints them (one object per line).
std::vector<json> read_traces(const local_stack& stack) {
  const auto r =
      stack.tool("vmterm-trace", {"--file", stack.traces_file().string(), "--json", "show"});
  std::vector<json> out;
  if (r.exit_code != 0) return out;
  std::istringstream lines(r.out);
  for (std::string l; std::getline(lines, l);) {
    if (!l.empty()) out.push_back(json::parse(l));
  }
  return out;
}

const json* span_named(const json& trace, const std::string& name) {
  for (const auto& s : trace["spans"]) {
    if (s["name"] == name) return &s;
  }
  return nullptr;
}

/// The traces that contain a span of this name.
std::vector<json> traces_with(const std::vector<json>& traces, const std::string& name) {
  std::vector<json> out;
  for (const auto& t : traces) {
    if (span_named(t, name) != nullptr) out.push_back(t);
  }
  return out;
}

struct expected_span {
  std::string name, service, kind, parent;  ///< parent span's name; "" the root; "*" any
};

/// One complete trace as listed: no orphans, each span with its service, kind and parent.
void check_trace(const json& trace, const std::vector<expected_span>& expected) {
  INFO("trace " << trace["trace_id"] << ":\n" << trace.dump(1));
  CHECK(trace["orphan_count"] == 0);
  CHECK(trace["duplicate_count"] == 0);
  CHECK(trace["cycle_count"] == 0);
  std::map<std::string, std::string> name_of;  // span id → name
  for (const auto& s : trace["spans"]) name_of[s["span_id"]] = s["name"];
  for (const auto& e : expected) {
    INFO(e.name);
    const auto* s = span_named(trace, e.name);
    REQUIRE(s != nullptr);
    CHECK((*s)["service"] == e.service);
    CHECK((*s)["kind"] == e.kind);
    if (e.parent.empty()) {
      CHECK((*s)["parent_span_id"].is_null());
      CHECK(trace["root"]["name"] == e.name);
    } else {
      REQUIRE((*s)["parent_span_id"].is_string());
      if (e.parent != "*") CHECK(name_of[(*s)["parent_span_id"].get<std::string>()] == e.parent);
    }
  }
  // No task arguments under any name.
  for (const auto& s : trace["spans"]) {
    for (const auto& [key, value] : s["attributes"].items()) {
      INFO(s["name"] << ": " << key);
      CHECK(key.find("args") == std::string::npos);
      CHECK(key.find("kwargs") == std::string::npos);
    }
  }
}

/// The counter's current value (summed), or -1 when Prometheus has no series for it.
double counter(const local_stack& stack, const std::string& selector) {
  const auto r = stack.query("sum(" + selector + ")");
  if (r["data"]["result"].empty()) return -1;
  return std::stod(r["data"]["result"][0]["value"][1].get<std::string>());
}

/// Waits until Prometheus has scraped a value of the counter at least `min`.
bool counter_reaches(const local_stack& stack, const std::string& selector, double min) {
  return wait_until([&] { return counter(stack, selector) >= min; }, 15s, 250ms);
}

}  // namespace

TEST_CASE(
    "the story: a browser session and a beat tick, each ONE trace across the tools, and "
    "the counters move",
    "[e2e][story]") {
  local_stack stack;  // scripts/run --fast
  INFO(stack.output());
  REQUIRE_FALSE(stack.token.empty());
  // The second beat: the same schedule and Redis; only the leader sends each tick.
  temp_dir beat_dir;
  auto beat_env = stack.tool_env();
  child_process second_beat({.argv = {(bin_dir() / "vmterm-beat").string(), "--schedule",
                                      (stack.var() / "beat-schedule-fast.toml").string()},
                             .env = beat_env,
                             .stderr_file = beat_dir / "beat.log"});

  // --- 1. the browser session --------------------------------------------------------------
  const std::string secret = "vmterm-story-" + std::to_string(free_loopback_port()) + "x";
  const auto cookie = [&] {
    const auto raw = tcp_exchange(stack.serve_port,
                                  "GET /?token=" + stack.token + " HTTP/1.0\r\nHost: 127.0.0.1:" +
                                      std::to_string(stack.serve_port) + "\r\n\r\n",
                                  1u << 20, 5s)
                         .value_or("");
    const auto at = raw.find("Set-Cookie: ");
    REQUIRE(at != std::string::npos);
    return raw.substr(at + 12, raw.find(';', at) - at - 12);
  }();
  const auto origin = "http://127.0.0.1:" + std::to_string(stack.serve_port);
  {
    ws_client ws;
    REQUIRE(ws.connect(stack.serve_port, "/ws/terminal/",
                       {.headers = {{"Cookie", cookie}, {"Origin", origin}}}));
    REQUIRE(ws.send_text(R"({"type":"resize","cols":100,"rows":30})"));
    REQUIRE(ws.send_binary("echo " + secret + "\n"));
    std::string output;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    // The echo's output line (the typed line is echoed too: wait for the second copy).
    while (std::chrono::steady_clock::now() < deadline) {
      const auto f = ws.read(500ms);
      if (f.is_binary()) output += f.data;
      const auto first = output.find(secret);
      if (first != std::string::npos && output.find(secret, first + 1) != std::string::npos) break;
    }
    REQUIRE(ws.send_text(R"({"type":"resize","cols":120,"rows":40})"));
    REQUIRE(ws.send_binary("exit\n"));
    std::string exit_message;
    while (std::chrono::steady_clock::now() < deadline + 5s && exit_message.empty()) {
      const auto f = ws.read(500ms);
      if (f.is_text() && f.data.find(R"("type":"exit")") != std::string::npos)
        exit_message = f.data;
      if (f.type == ws_frame::kind::closed) break;
    }
    CHECK_FALSE(exit_message.empty());
  }

  // --- 2. the beat ticks (every 5 s): wait for two complete tick traces ---------------------
  std::vector<json> traces, ticks, sessions;
  const bool complete = wait_until(
      [&] {
        traces = read_traces(stack);
        ticks = traces_with(traces, "PING");
        ticks.erase(std::remove_if(ticks.begin(), ticks.end(),
                                   [](const json& t) {
                                     return span_named(t, "apply_async/health_check") == nullptr;
                                   }),
                    ticks.end());
        sessions = traces_with(traces, "WS /ws/terminal/");
        return ticks.size() >= 2 && !sessions.empty();
      },
      30s, 500ms);
  INFO([&] {
    std::string roots = std::to_string(traces.size()) + " traces, " + std::to_string(ticks.size()) +
                        " ticks, " + std::to_string(sessions.size()) + " sessions; roots:";
    for (const auto& s : sessions) roots += "\nsession: " + s.dump();
    return roots;
  }());
  REQUIRE(complete);

  REQUIRE(sessions.size() == 1);
  const auto& session = sessions[0];
  // The upgrade request's span, then the session's (the PTY is spawned inside it: no span of
  // its own in this version).
  check_trace(session, {{"GET /ws/terminal/", "vmterm-serve", "server", ""},
                        {"WS /ws/terminal/", "vmterm-serve", "server", "GET /ws/terminal/"}});
  std::vector<std::string> events;
  for (const auto& e : (*span_named(session, "WS /ws/terminal/"))["events"]) {
    events.push_back(e["name"]);
  }
  INFO(session.dump(1));
  CHECK(std::count(events.begin(), events.end(), "resize") >= 2);
  CHECK(std::find(events.begin(), events.end(), "start") != events.end());
  CHECK(std::find(events.begin(), events.end(), "exit") != events.end());

  const auto& tick = ticks.front();
  check_trace(tick, {{"apply_async/health_check", "vmterm-beat", "producer", ""},
                     // The send is one script (claim the tick, LPUSH): EVALSHA, not a bare LPUSH.
                     {"EVALSHA", "vmterm-beat", "client", "apply_async/health_check"},
                     {"run/health_check", "vmterm-worker", "consumer", "apply_async/health_check"},
                     {"GET", "vmterm-worker", "client", "run/health_check"},
                     {"GET /health-check/", "vmterm-serve", "server", "GET"},
                     {"PING", "vmterm-serve", "client", "GET /health-check/"}});
  // Each tick is sent once by two beats: tick traces are >= 4 s apart (every 5 s).
  std::vector<std::uint64_t> starts;
  for (const auto& t : ticks)
    starts.push_back(std::stoull(t["start_unix_nano"].get<std::string>()));
  std::sort(starts.begin(), starts.end());
  for (std::size_t i = 1; i < starts.size(); ++i) {
    CHECK(starts[i] - starts[i - 1] > 4'000'000'000ULL);
  }
  // No terminal bytes (the typed marker) anywhere in the traces.
  CHECK(read_file(stack.traces_file()).find(secret) == std::string::npos);

  // --- Prometheus: the matching counters moved ------------------------------------------------
  CHECK(counter_reaches(stack, R"(vmterm_terminal_sessions_total{job="vmterm-serve"})", 1));
  CHECK(counter_reaches(stack, R"(vmterm_terminal_input_bytes_total{job="vmterm-serve"})",
                        static_cast<double>(secret.size())));
  CHECK(counter_reaches(stack, R"(vmterm_terminal_output_bytes_total{job="vmterm-serve"})", 1));
  CHECK(counter_reaches(
      stack, R"(vmterm_worker_tasks_succeeded_total{job="vmterm-worker",task="health_check"})", 2));
  CHECK(counter_reaches(
      stack,
      R"(http_server_requests_total{job="vmterm-serve",route="/health-check/",status="200"})", 2));
  CHECK(counter_reaches(stack, R"(vmterm_redis_commands_total{job="vmterm-serve",command="PING"})",
                        2));
  CHECK(second_beat.running());
  CHECK(stack.stop() == 0);
}

// vmterm-health's root span health.run, its HTTP probe's CLIENT span GET (whose traceparent
// serve continues) and its Redis probe's health.redis span, with serve's server span below.
TEST_CASE("the story, part 3: a vmterm-health probe is ONE trace: health.run → probes → serve",
          "[e2e][story][health]") {
  REQUIRE(std::filesystem::exists(bin_dir() / "vmterm-health"));
  local_stack stack({.run_args = {}});
  const auto r = stack.tool(
      "vmterm-health",
      {"--http", "http://127.0.0.1:" + std::to_string(stack.serve_port) + "/health-check/",
       "--redis", stack.redis_url()});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<json> probes;
  REQUIRE(wait_until(
      [&] {
        probes = traces_with(read_traces(stack), "health.run");
        return !probes.empty() && span_named(probes[0], "GET /health-check/") != nullptr;
      },
      15s, 250ms));
  REQUIRE(probes.size() == 1);
  check_trace(probes[0], {{"health.run", "vmterm-health", "internal", ""},
                          {"GET", "vmterm-health", "client", "health.run"},
                          {"GET /health-check/", "vmterm-serve", "server", "GET"},
                          {"health.redis", "vmterm-health", "internal", "health.run"}});
  CHECK(stack.stop() == 0);
}
