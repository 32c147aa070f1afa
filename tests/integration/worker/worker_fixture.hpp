#pragma once
// A real redis-server, the built vmterm-worker and Celery 5.2.6 under /usr/bin/python3, in one
// temp dir: what every worker integration test starts from.
#include <signal.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "process.hpp"
#include "redis_server.hpp"
#include "temp_dir.hpp"

namespace vmterm::test {

/// The Celery app the Python side uses (client and real worker): JSON only, results in db 1.
inline constexpr const char* celery_app_py = R"PY(
import os
from celery import Celery
app = Celery('app', broker=os.environ['BROKER'], backend=os.environ['BACKEND'])
app.conf.update(task_serializer='json', result_serializer='json', accept_content=['json'],
                worker_hijack_root_logger=False,
                broker_transport_options={'visibility_timeout': int(os.environ.get('VT', '3600'))})

@app.task(name='add', bind=True)
def add(self, x, y):
    out = os.environ.get('TP_FILE')
    if out:
        with open(out, 'w') as f:
            f.write(str(getattr(self.request, 'traceparent', None)))
    return x + y
)PY";

class worker_world {
 public:
  worker_world() { write_file(dir_ / "app.py", celery_app_py); }
  ~worker_world() {
    for (auto& w : workers_) w->stop();
  }

  [[nodiscard]] std::string broker() const { return redis_.url(0); }
  [[nodiscard]] std::string backend() const { return redis_.url(1); }
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }
  redis_server& redis() { return redis_; }

  /// Starts vmterm-worker with `args` (broker and backend added) and waits for its "ready" log
  /// line. stderr goes to <dir>/worker-<n>.log.
  child_process& start_worker(std::vector<std::string> args, env_changes env = {},
                              bool wait_ready = true) {
    std::vector<std::string> argv{(bin_dir() / "vmterm-worker").string(),
                                  "--broker",
                                  broker(),
                                  "--result-backend",
                                  backend(),
                                  "--log-format",
                                  "text"};
    argv.insert(argv.end(), args.begin(), args.end());
    if (!env.count("OTEL_TRACES_EXPORTER")) env["OTEL_TRACES_EXPORTER"] = "none";
    const auto log = dir() / ("worker-" + std::to_string(workers_.size()) + ".log");
    last_log_ = log;
    workers_.push_back(std::make_unique<child_process>(
        spawn_options{.argv = argv, .env = env, .cwd = dir(), .stderr_file = log}));
    if (wait_ready) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (read_file(log).find("ready") == std::string::npos) {
        if (std::chrono::steady_clock::now() > deadline || !workers_.back()->running()) {
          throw std::runtime_error("vmterm-worker did not start: " + read_file(log));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    return *workers_.back();
  }
  [[nodiscard]] std::string worker_log() const { return read_file(last_log_); }

  /// /usr/bin/python3 -c `code` in the app's directory with BROKER/BACKEND set.
  run_result python(const std::string& code, env_changes env = {},
                    std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    env["BROKER"] = broker();
    env["BACKEND"] = backend();
    env["PYTHONUNBUFFERED"] = "1";
    env["PYTHONDONTWRITEBYTECODE"] = "1";
    return run({"/usr/bin/python3", "-c", "from app import *\n" + code},
               {.env = env, .cwd = dir(), .timeout = timeout});
  }

  /// A real Celery worker (solo pool) on the same broker.
  child_process& start_celery_worker(env_changes env = {}, std::vector<std::string> extra = {}) {
    env["BROKER"] = broker();
    env["BACKEND"] = backend();
    env["PYTHONUNBUFFERED"] = "1";
    env["PYTHONDONTWRITEBYTECODE"] = "1";
    std::vector<std::string> argv{"/usr/bin/python3",
                                  "-m",
                                  "celery",
                                  "-A",
                                  "app",
                                  "worker",
                                  "--pool=solo",
                                  "--without-mingle",
                                  "--without-gossip",
                                  "--loglevel=INFO",
                                  "-n",
                                  "py@vmtest"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    const auto log = dir() / "celery-worker.log";
    workers_.push_back(std::make_unique<child_process>(
        spawn_options{.argv = argv, .env = env, .cwd = dir(), .stderr_file = log}));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (read_file(log).find("ready.") == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error("celery worker did not start: " + read_file(log));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return *workers_.back();
  }

  /// vmterm-worker call ... with the broker and backend.
  run_result call(std::vector<std::string> args, env_changes env = {}) {
    std::vector<std::string> a{"call"};
    a.insert(a.end(), args.begin(), args.end());
    if (!env.count("OTEL_TRACES_EXPORTER")) env["OTEL_TRACES_EXPORTER"] = "none";
    env["VMTERM_REDIS_URL"] = broker();
    env["CELERY_RESULT_BACKEND"] = backend();
    return run_tool("vmterm-worker", a, {.env = env, .timeout = std::chrono::seconds(60)});
  }

  /// redis-cli against the fixture (db 0 unless "-n" is given).
  run_result redis_cli(std::vector<std::string> args) {
    std::vector<std::string> a{"redis-cli", "-p", std::to_string(redis_.port())};
    a.insert(a.end(), args.begin(), args.end());
    return run(a);
  }

 private:
  redis_server redis_;
  temp_dir dir_{"vmterm-worker-it"};
  std::vector<std::unique_ptr<child_process>> workers_;
  std::filesystem::path last_log_;
};

/// SIGTERM, then waits (up to 10 s) for the process to exit; how long that took.
inline std::chrono::steady_clock::duration terminate_and_wait(child_process& p) {
  const auto t0 = std::chrono::steady_clock::now();
  p.signal(SIGTERM);
  while (p.running() && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(10))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return std::chrono::steady_clock::now() - t0;
}

/// Trims one trailing newline.
inline std::string chomp(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace vmterm::test
