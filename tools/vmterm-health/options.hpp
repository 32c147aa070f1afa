#pragma once
/// vmterm-health's flags (lib/core/flags.hpp declarations) and their checked, parsed form.

#include <chrono>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <filesystem>
#include "health/expect_json.hpp"
#include "health/range.hpp"
#include "health/state.hpp"
#include "http/url.hpp"
#include "redis/url.hpp"
#include "ssh/target.hpp"

namespace vmterm::health_tool {

/// A --expect-status item: one code (200) or a class (2xx = 200..299).
struct status_range {
  unsigned low = 200;
  unsigned high = 299;
};

struct options {
  // as given
  std::vector<std::string> http;
  std::vector<std::string> redis;
  std::vector<std::string> ssh;
  std::string known_hosts;
  std::vector<std::string> task;
  std::string broker;
  std::string result_backend;
  std::string queue;
  std::chrono::milliseconds task_timeout{5000};
  std::string expect_status_text;
  std::vector<std::string> expect_json_text;
  std::string expect_body;
  std::string expect_regex_text;
  bool invert_regex = false;
  std::vector<std::string> header_text;
  std::string basic_auth;  ///< USER:PASSWORD; a secret
  bool insecure = false;
  std::string cacert;
  std::string cert;
  std::string key;
  std::string cert_days_text;
  std::string proxy;
  bool proxy_from_env = false;
  bool ipv4 = false;
  bool ipv6 = false;
  int retries = 0;
  std::chrono::milliseconds retry_delay{1000};
  std::string ping_url;
  std::string warning_text;
  std::string critical_text;
  std::chrono::milliseconds timeout{10000};
  std::string timeout_state_text = "critical";
  bool nagios = false;
  bool json = false;
  int verbose = 0;

  // checked and parsed by parse_command_line
  std::vector<http::url> http_urls;
  std::vector<redis::url> redis_urls;
  std::vector<ssh::target> ssh_targets;
  std::filesystem::path known_hosts_file;
  std::optional<redis::url> broker_url;     ///< set when a --task probe runs
  std::optional<redis::url> backend_url;    ///< likewise; the broker's when not given
  std::vector<status_range> expect_status;  ///< empty: 2xx
  std::vector<health::json_expectation> expect_json;
  std::optional<std::regex> expect_regex;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<health::range> warning;
  std::optional<health::range> critical;
  std::optional<std::pair<int, int>> cert_days;  ///< --cert-days WARN,CRIT
  std::optional<http::url> ping;                 ///< --ping-url
  health::state timeout_state = health::state::critical;
};

/// Parses argv. Returns an exit code when the program should stop now: 0 after --help or
/// --version, 3 after a usage error (first stdout line "UNKNOWN - <reason>", the reason and a
/// usage hint on stderr); nullopt to go on.
[[nodiscard]] std::optional<int> parse_command_line(int argc, char** argv, options& opt);

/// A proxy URL for people: "http://***@proxy:3128" when it carries user:password (which goes
/// only into Proxy-Authorization, never into output, logs or spans).
[[nodiscard]] std::string redacted_proxy(const std::string& proxy);

}  // namespace vmterm::health_tool
