#include "local_stack.hpp"

#include <cctype>
#include <csignal>
#include <regex>
#include <stdexcept>

#include "ports.hpp"

namespace vmterm::test::stack {

using namespace std::chrono_literals;

local_stack::local_stack(local_stack_options options) {
  redis_port = free_loopback_port();
  serve_port = free_loopback_port();
  metrics_port = free_loopback_port();
  prometheus_port = free_loopback_port();
  node_port = free_loopback_port();
  env_ = {
      {"VMTERM_BUILD_DIR", bin_dir().parent_path().string()},
      {"VMTERM_VAR_DIR", var_.path().string()},
      {"VMTERM_REDIS_PORT", std::to_string(redis_port)},
      {"VMTERM_LISTEN", "127.0.0.1:" + std::to_string(serve_port)},
      {"VMTERM_METRICS_PORT", std::to_string(metrics_port)},
      {"VMTERM_BEAT_METRICS_PORT", std::to_string(free_loopback_port())},
      {"VMTERM_PROMETHEUS_PORT", std::to_string(prometheus_port)},
      {"VMTERM_NODE_EXPORTER_PORT", std::to_string(node_port)},
      {"VMTERM_SCRAPE_INTERVAL", "1s"},
      {"OTEL_TRACES_EXPORTER", "file"},
      {"OTEL_BSP_SCHEDULE_DELAY", "100"},
      {"VMTERM_TRACES_FILE", std::nullopt},
      {"VMTERM_TOKEN", std::nullopt},
      {"VMTERM_TOKEN_FILE", std::nullopt},
      {"VMTERM_BASE_PATH", std::nullopt},
      {"VMTERM_SCHEDULE", std::nullopt},
  };
  for (const auto& [k, v] : options.env) env_[k] = v;
  std::vector<std::string> argv{(source_dir() / "scripts/run").string(), "--no-setup",
                                "--no-build"};
  argv.insert(argv.end(), options.run_args.begin(), options.run_args.end());
  if (!options.serve_args.empty()) {
    argv.emplace_back("--");
    argv.insert(argv.end(), options.serve_args.begin(), options.serve_args.end());
  }
  run_ = std::make_unique<child_process>(spawn_options{
      .argv = argv, .env = env_, .stdout_file = var_ / "run.out", .stderr_file = var_ / "run.out"});
  const bool up =
      wait_until([&] { return output().find("running;") != std::string::npos || !run_->running(); },
                 60s, 50ms);
  if (!up || !run_->running()) {
    throw std::runtime_error("scripts/run did not start the stack:\n" + output());
  }
  std::smatch m;
  const auto out = output();
  if (std::regex_search(out, m, std::regex(R"([?&]token=([A-Za-z0-9_\-]+))"))) token = m[1];
}

local_stack::~local_stack() { (void)stop(); }

int local_stack::stop() {
  if (exit_code_) return *exit_code_;
  if (run_->running()) ::kill(run_->pid(), SIGTERM);
  (void)wait_until([&] { return !run_->running(); }, 20s, 50ms);
  run_->stop();
  exit_code_ = run_->exit_code().value_or(-1);
  return *exit_code_;
}

std::string local_stack::output() const { return read_file(var_ / "run.out"); }

std::string local_stack::redis_url() const {
  return "redis://127.0.0.1:" + std::to_string(redis_port) + "/0";
}

env_changes local_stack::tool_env() const {
  return {{"VMTERM_REDIS_URL", redis_url()},
          {"OTEL_TRACES_EXPORTER", "file"},
          {"OTEL_BSP_SCHEDULE_DELAY", "100"},
          {"VMTERM_TRACES_FILE", traces_file().string()}};
}

run_result local_stack::tool(const std::string& name, const std::vector<std::string>& args,
                             env_changes env) const {
  auto e = tool_env();
  for (const auto& [k, v] : env) e[k] = v;
  return run_tool(name, args, {.env = e});
}

http_answer http_get(std::uint16_t port, const std::string& target,
                     const std::vector<std::string>& headers) {
  std::string req =
      "GET " + target + " HTTP/1.0\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n";
  for (const auto& h : headers) req += h + "\r\n";
  req += "\r\n";
  const auto raw = tcp_exchange(port, req, 1u << 24, 10s);
  http_answer a;
  if (!raw || raw->size() < 12) return a;
  a.status = static_cast<unsigned>(std::stoi(raw->substr(9, 3)));
  const auto body = raw->find("\r\n\r\n");
  if (body != std::string::npos) a.body = raw->substr(body + 4);
  return a;
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

nlohmann::json local_stack::prometheus(const std::string& path_and_query) const {
  const auto a = http_get(prometheus_port, path_and_query);
  if (a.status == 0) throw std::runtime_error("Prometheus did not answer " + path_and_query);
  return nlohmann::json::parse(a.body);
}

nlohmann::json local_stack::query(const std::string& expr) const {
  return prometheus("/api/v1/query?query=" + url_encode(expr));
}

}  // namespace vmterm::test::stack
