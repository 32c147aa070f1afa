#include "serve_process.hpp"

#include <algorithm>
#include <stdexcept>

#include "http/client.hpp"
#include "ports.hpp"

namespace vmterm::test::serve {

namespace {

constexpr std::string_view start_marker = "vmterm-serve: open ";

/// The test's environment must not leak into the program's configuration.
env_changes clean_env(env_changes extra) {
  env_changes env{{"OTEL_TRACES_EXPORTER", "none"}};
  for (const char* name :
       {"VMTERM_LISTEN", "VMTERM_TOKEN", "VMTERM_TOKEN_FILE", "VMTERM_BASE_PATH", "VMTERM_COMMAND",
        "VMTERM_LOG_FORMAT", "VMTERM_LOG_LEVEL", "VMTERM_SSH", "VMTERM_IDENTITY",
        "VMTERM_KNOWN_HOSTS", "AWS_HOSTNAME", "AWS_USERNAME", "SSH_AUTH_SOCK"}) {
    env[name] = std::nullopt;
  }
  for (auto& [k, v] : extra) env[k] = std::move(v);
  return env;
}

}  // namespace

serve_process::serve_process(std::vector<std::string> args, env_changes env) {
  std::vector<std::string> argv{(bin_dir() / "vmterm-serve").string()};
  const bool has_listen = std::find(args.begin(), args.end(), "--listen") != args.end();
  if (!has_listen) args.insert(args.begin(), {"--listen", "127.0.0.1:0"});
  argv.insert(argv.end(), args.begin(), args.end());
  proc_ = std::make_unique<child_process>(spawn_options{.argv = argv,
                                                        .env = clean_env(std::move(env)),
                                                        .stdout_file = dir_ / "stdout.log",
                                                        .stderr_file = dir_ / "stderr.log"});
  const bool started = wait_until(
      [&] {
        const auto err = stderr_text();
        const auto at = err.find(start_marker);
        if (at == std::string::npos) return !proc_->running();
        const auto eol = err.find('\n', at);
        if (eol == std::string::npos) return false;
        line_ = err.substr(at, eol - at);
        return true;
      },
      std::chrono::seconds(20));
  if (!started || line_.empty()) {
    throw std::runtime_error("vmterm-serve did not start; its stderr:\n" + stderr_text());
  }
  const auto rest = line_.substr(start_marker.size());
  url_ = rest.substr(0, rest.find(' '));
  const auto host_end = url_.find('/', url_.find("://") + 3);
  const auto colon = url_.rfind(':', host_end);
  port_ = static_cast<std::uint16_t>(std::stoi(url_.substr(colon + 1, host_end - colon - 1)));
  if (const auto t = url_.find("?token="); t != std::string::npos) token_ = url_.substr(t + 7);
}

serve_process::~serve_process() = default;

std::string serve_process::stderr_text() const { return read_file(dir_ / "stderr.log"); }

http::response serve_process::request(
    const std::string& method, const std::string& target,
    std::vector<std::pair<std::string, std::string>> headers) const {
  http::client_options options;
  options.timeout = std::chrono::seconds(10);
  options.verify_tls = false;  // the tests' certificates are self-signed
  http::client c(std::move(options));
  http::request req;
  req.method = method;
  const auto scheme = url_.substr(0, url_.find("://"));
  req.url = scheme + "://127.0.0.1:" + std::to_string(port_) + target;
  for (auto& [k, v] : headers) req.headers.add(std::move(k), std::move(v));
  auto res = c.send(std::move(req));
  if (!res) throw std::runtime_error(res.error().message);
  return std::move(*res);
}

std::string cookie_pair(const http::response& res) {
  const auto value = std::string(res.headers.get("Set-Cookie").value_or(""));
  return value.substr(0, value.find(';'));
}

}  // namespace vmterm::test::serve
