// Interop: a real Celery worker (/usr/bin/python3, python3-celery) runs the health_check task
// vmterm-beat sends, and its self.request.traceparent carries beat's apply_async PRODUCER span.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "process.hpp"
#include "redis_server.hpp"
#include "temp_dir.hpp"

using namespace vmterm::test;
using namespace std::chrono_literals;

TEST_CASE("a real Celery worker runs beat's health_check and sees its traceparent",
          "[e2e][beat][redis][celery]") {
  if (!std::filesystem::exists("/usr/bin/python3") ||
      run({"/usr/bin/python3", "-c", "import celery"}).exit_code != 0) {
    FAIL("python3-celery is not installed; run scripts/setup");
  }
  redis_server redis;
  temp_dir dir{"vmterm-beat-celery"};
  write_file(dir / "beatapp.py", R"(import os
from celery import Celery
app = Celery('beatapp', broker=os.environ['BROKER'])
@app.task(name='health_check', bind=True)
def health_check(self):
    with open(os.environ['OUT'], 'a') as f:
        f.write(str(getattr(self.request, 'traceparent', None)) + '\n')
    return 'ok'
)");
  write_file(dir / "s.toml", "[health_check]\ntask = \"health_check\"\nevery = \"1s\"\n");
  const auto out = dir / "seen.txt";
  const auto traces = dir / "traces.jsonl";
  child_process worker(spawn_options{
      .argv = {"/usr/bin/python3", "-m", "celery", "-A", "beatapp", "worker", "-P", "solo",
               "--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", "celery"},
      .env = {{"BROKER", redis.url()}, {"OUT", out.string()}, {"PYTHONPATH", dir.path().string()}},
      .cwd = dir.path(),
      .stderr_file = dir / "worker.log"});
  child_process beat(spawn_options{
      .argv = {(bin_dir() / "vmterm-beat").string(), "--schedule", (dir / "s.toml").string(),
               "--broker", redis.url(), "--lease", "1s"},
      .env = {{"OTEL_TRACES_EXPORTER", "file"}, {"VMTERM_TRACES_FILE", traces.string()}},
      .stderr_file = dir / "beat.log"});
  const auto start = std::chrono::steady_clock::now();
  while (!std::filesystem::exists(out) || read_file(out).empty()) {
    if (std::chrono::steady_clock::now() - start > 45s) {
      FAIL("no task ran; worker log:\n"
           << read_file(dir / "worker.log") << "\nbeat log:\n"
           << read_file(dir / "beat.log"));
    }
    std::this_thread::sleep_for(100ms);
  }
  beat.stop();  // SIGTERM: flushes the spans
  const auto seen = read_file(out);
  const auto line = seen.substr(0, seen.find('\n'));
  INFO(line);
  REQUIRE(line.size() == 55);  // 00-<32 hex>-<16 hex>-01
  CHECK(line.starts_with("00-"));
  const auto trace_id = line.substr(3, 32);
  const auto span_id = line.substr(36, 16);
  const auto spans = read_file(traces);
  // beat's producer span is in its trace file, with that trace and span id
  CHECK(spans.find("\"apply_async/health_check\"") != std::string::npos);
  CHECK(spans.find(trace_id) != std::string::npos);
  CHECK(spans.find(span_id) != std::string::npos);
}
