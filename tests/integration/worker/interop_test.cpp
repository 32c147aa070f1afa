// vmterm-worker with real Celery 5.2.6 both ways, on a real redis-server: a Python client's
// tasks run by vmterm-worker (results, exceptions, traceparent), `vmterm-worker call` run by a
// real Celery worker, remote control (inspect ping/stats/active, revoke) and events.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "worker_fixture.hpp"

using namespace vmterm::test;
using namespace std::chrono_literals;

namespace {
const std::string add_task = "add=jq -c '.args[0] + .args[1]'";
}

TEST_CASE("a Celery client's add.delay(2, 3).get() returns 5 from vmterm-worker",
          "[integration][worker][celery]") {
  worker_world w;
  w.start_worker({"--task", add_task, "-n", "celery@vmtest"});
  auto r = w.python("print(add.delay(2, 3).get(timeout=5))");
  INFO(r.err << w.worker_log());
  CHECK(r.exit_code == 0);
  CHECK(chomp(r.out) == "5");
  // kwargs and a JSON result come back as Python values.
  auto e = w.python("print(app.signature('echo', args=(1, 'two', [3])).delay().get(timeout=5))");
  CHECK(chomp(e.out) == "[1, 'two', [3]]");
}

TEST_CASE("a vmterm-worker task failure raises in the Celery client with the exception's words",
          "[integration][worker][celery]") {
  worker_world w;
  w.start_worker({"--task", "boom=echo 'it broke' >&2; exit 3"});
  auto r = w.python(R"PY(
r = app.signature('boom').delay()
try:
    r.get(timeout=5)
    print('no exception')
except Exception as e:
    print(type(e).__name__, '|', e, '|', r.state, '|', r.traceback.strip())
)PY");
  INFO(r.err);
  CHECK(chomp(r.out) == "CommandFailed | the command exited with status 3 | FAILURE | it broke");
}

TEST_CASE("vmterm-worker call runs on a real Celery worker, which sees vmterm's traceparent",
          "[integration][worker][celery][trace]") {
  worker_world w;
  const auto tp_file = (w.dir() / "traceparent.txt").string();
  w.start_celery_worker({{"TP_FILE", tp_file}});
  auto r = w.call({"add", "--args", "[2, 3]", "--wait", "--timeout", "20s"},
                  {{"OTEL_TRACES_EXPORTER", "file"},
                   {"VMTERM_TRACES_FILE", (w.dir() / "call-traces.jsonl").string()}});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "5\n");
  const auto tp = read_file(tp_file);
  INFO(tp);
  REQUIRE(tp.size() == 55);
  CHECK(tp.starts_with("00-"));
  // It is the apply_async/add span vmterm-worker call exported.
  const auto traces = read_file(w.dir() / "call-traces.jsonl");
  CHECK(traces.find(tp.substr(3, 32)) != std::string::npos);
  CHECK(traces.find(tp.substr(36, 16)) != std::string::npos);
}

TEST_CASE("a traceparent a Celery client injects becomes the run span's parent",
          "[integration][worker][celery][trace]") {
  worker_world w;
  const auto traces = w.dir() / "worker-traces.jsonl";
  auto& proc = w.start_worker({"--task", add_task}, {{"OTEL_TRACES_EXPORTER", "file"},
                                                     {"VMTERM_TRACES_FILE", traces.string()}});
  const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string parent = "00f067aa0ba902b7";
  auto r = w.python("print(add.apply_async((2, 3), headers={'traceparent': '00-" + trace_id + "-" +
                    parent + "-01'}).get(timeout=5))");
  CHECK(chomp(r.out) == "5");
  proc.stop(10s);  // SIGTERM: spans are flushed before exit
  bool found = false;
  std::istringstream lines(read_file(traces));
  std::string line;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) continue;
    for (auto& rs : j["resourceSpans"]) {
      for (auto& ss : rs["scopeSpans"]) {
        for (auto& s : ss["spans"]) {
          if (s["name"] != "run/add") continue;
          found = true;
          CHECK(s["traceId"] == trace_id);
          CHECK(s["parentSpanId"] == parent);
          CHECK(s["kind"] == 5);  // SPAN_KIND_CONSUMER
          std::map<std::string, nlohmann::json> attrs;
          for (auto& a : s["attributes"]) attrs[a["key"]] = a["value"];
          CHECK(attrs["celery.action"]["stringValue"] == "run");
          CHECK(attrs["celery.task_name"]["stringValue"] == "add");
          CHECK(attrs["celery.state"]["stringValue"] == "SUCCESS");
          CHECK(attrs.count("messaging.message.id") == 1);
          // Never the arguments.
          CHECK(s.dump().find("(2, 3)") == std::string::npos);
        }
      }
    }
  }
  CHECK(found);
}

TEST_CASE("celery inspect ping, stats, active and registered see vmterm-worker",
          "[integration][worker][celery][control]") {
  worker_world w;
  w.start_worker({"--task", "slow=sleep 3", "-n", "celery@vmtest"});
  auto ping =
      w.python("print(app.control.inspect(destination=['celery@vmtest'], timeout=3).ping())");
  INFO(ping.err);
  CHECK(chomp(ping.out) == "{'celery@vmtest': {'ok': 'pong'}}");
  auto reg = w.python("print(app.control.inspect(timeout=2).registered())");
  CHECK(reg.out.find("'slow'") != std::string::npos);
  CHECK(reg.out.find("'health_check'") != std::string::npos);
  auto active = w.python(R"PY(
import time
r = app.signature('slow').delay()
time.sleep(0.5)
a = app.control.inspect(timeout=2).active()['celery@vmtest']
print(len(a), a[0]['id'] == r.id, a[0]['name'])
s = app.control.inspect(timeout=2).stats()['celery@vmtest']
print(s['pool']['max-concurrency'])
)PY");
  INFO(active.err);
  CHECK(active.out == "1 True slow\n4\n");
  // The command-line tool too.
  auto cli =
      run({"/usr/bin/python3", "-m", "celery", "-A", "app", "inspect", "ping", "--timeout", "3"},
          {.env = {{"BROKER", w.broker()}, {"BACKEND", w.backend()}}, .cwd = w.dir()});
  CHECK(cli.out.find("celery@vmtest: OK") != std::string::npos);
  CHECK(cli.out.find("pong") != std::string::npos);
}

TEST_CASE("celery control revoke skips a held task and terminate stops a running shell task",
          "[integration][worker][celery][control]") {
  worker_world w;
  w.start_worker({"--task", "slow=sleep 30"});
  auto r = w.python(R"PY(
import time
from celery.exceptions import TaskRevokedError
held = app.signature('echo', args=(1,)).apply_async(countdown=2)
running = app.signature('slow').delay()
time.sleep(0.5)
app.control.revoke(held.id)
app.control.revoke(running.id, terminate=True, signal='SIGTERM')
t0 = time.time()
for r in (held, running):
    try:
        r.get(timeout=10)
        print('ran')
    except TaskRevokedError as e:
        print('revoked', r.state)
print(time.time() - t0 < 5)
)PY");
  INFO(r.err);
  CHECK(r.out == "revoked REVOKED\nrevoked REVOKED\nTrue\n");
}

TEST_CASE("celery events --dump shows vmterm-worker's worker and task events",
          "[integration][worker][celery][events]") {
  worker_world w;
  w.start_worker({"-E", "-n", "celery@vmtest"});
  child_process dump(spawn_options{
      .argv = {"/usr/bin/python3", "-m", "celery", "-A", "app", "events", "--dump"},
      .env = {{"BROKER", w.broker()}, {"BACKEND", w.backend()}, {"PYTHONUNBUFFERED", "1"}},
      .cwd = w.dir(),
      .stdout_file = w.dir() / "events.txt"});
  std::this_thread::sleep_for(1500ms);
  auto r = w.python("print(app.signature('echo', args=(7,)).delay().get(timeout=5))");
  CHECK(chomp(r.out) == "[7]");
  std::this_thread::sleep_for(2500ms);
  dump.stop();
  const auto events = read_file(w.dir() / "events.txt");
  INFO(events);
  CHECK(events.find("celery@vmtest [") != std::string::npos);
  CHECK(events.find("] heartbeat") != std::string::npos);  // dumper.py: worker-heartbeat
  CHECK(events.find("task received") != std::string::npos);
  CHECK(events.find("task succeeded") != std::string::npos);
}

TEST_CASE("priorities, countdown and expires behave as Celery's", "[integration][worker][celery]") {
  worker_world w;
  const auto order = (w.dir() / "order.txt").string();
  // Queue first, with no worker: 9 (lowest) is sent before 0 (highest).
  for (auto [p, label] : {std::pair{"9", "low"}, {"0", "high"}, {"5", "mid"}}) {
    auto s = w.call({"mark", "--args", std::string("[\"") + label + "\"]", "--priority", p});
    REQUIRE(s.exit_code == 0);
  }
  w.start_worker({"-c", "1", "--prefetch", "0", "--task", "mark=jq -r '.args[0]' >> " + order});
  auto last = w.call({"mark", "--args", "[\"end\"]", "--priority", "9", "--wait"});
  CHECK(last.exit_code == 0);
  CHECK(read_file(order) == "high\nmid\nlow\nend\n");

  const auto t0 = std::chrono::steady_clock::now();
  auto cd = w.call({"echo", "--args", "[1]", "--countdown", "1s", "--wait"});
  CHECK(cd.out == "[1]\n");
  CHECK(std::chrono::steady_clock::now() - t0 >= 1s);

  auto ex = w.call({"echo", "--args", "[1]", "--countdown", "2s", "--expires", "1s", "--wait"});
  CHECK(ex.exit_code == 1);
  CHECK(ex.err.find("REVOKED: TaskRevokedError") != std::string::npos);
}

TEST_CASE("a shell task that exits 75 is retried with retries + 1 until it succeeds",
          "[integration][worker][celery]") {
  worker_world w;
  const auto count = (w.dir() / "count").string();
  w.start_worker({"--retry-delay", "200ms", "--task",
                  "flaky=n=$(cat " + count + " 2>/dev/null || echo 0); echo $((n+1)) > " + count +
                      "; [ \"$n\" -ge 2 ] || exit 75; echo ok"});
  auto r = w.python("r = app.signature('flaky').delay(); print(r.get(timeout=10))");
  INFO(r.err << w.worker_log());
  CHECK(chomp(r.out) == "ok");
  CHECK(read_file(count) == "3\n");
}
