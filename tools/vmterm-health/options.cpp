#include "options.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "core/exit_code.hpp"
#include "core/flags.hpp"
#include "core/parse.hpp"
#include "health/report.hpp"
#include "http/message.hpp"
#include "ssh/host_key.hpp"

namespace vmterm::health_tool {

namespace {

using config::flag;
using config::list_flag;
constexpr const char* tool = "vmterm-health";
constexpr const char* usage_hint =
    "usage: vmterm-health [--nagios|--json] [-w RANGE] [-c RANGE] [-t DURATION] --http URL "
    "--redis URL --ssh HOST --task NAME ...; see vmterm-health --help";

/// Prints a usage error the plugin way and returns 3.
int usage(const std::string& reason) {
  std::cout << health::usage_line(reason) << std::endl;
  std::cerr << tool << ": " << reason << '\n' << usage_hint << '\n';
  return to_int(health_status::unknown);
}

void add_flags(config::flag_set& f, options& o) {
  f.add(o.http, list_flag<std::string>{.name = "--http",
                                       .value_name = "URL",
                                       .help = "probe this http:// or https:// URL (repeatable)"});
  f.add(o.redis,
        list_flag<std::string>{.name = "--redis",
                               .value_name = "URL",
                               .help = "PING this Redis, redis://[user:password@]host:port/db "
                                       "(repeatable)"});
  f.add(o.ssh, list_flag<std::string>{.name = "--ssh",
                                      .value_name = "HOST[:PORT]",
                                      .help = "check this SSH server's host key against "
                                              "known_hosts, without logging in (repeatable)"});
  f.add(o.known_hosts, flag<std::string>{.name = "--known-hosts",
                                         .value_name = "FILE",
                                         .help = "the known_hosts file for --ssh",
                                         .fallback = "~/.ssh/known_hosts"});
  f.add(o.task, list_flag<std::string>{.name = "--task",
                                       .value_name = "NAME",
                                       .help = "send this task through the queue and wait for "
                                               "its result, e.g. noop (repeatable)"});
  f.add(o.broker, flag<std::string>{.name = "--broker",
                                    .env = {"VMTERM_REDIS_URL", "CELERY_BROKER_URL"},
                                    .value_name = "URL",
                                    .help = "the Redis broker --task sends to",
                                    .fallback = "redis://127.0.0.1:6379/0"});
  f.add(o.result_backend, flag<std::string>{.name = "--result-backend",
                                            .env = {"CELERY_RESULT_BACKEND"},
                                            .value_name = "URL",
                                            .help = "where --task reads its result",
                                            .fallback_text = "the broker's URL"});
  f.add(o.queue, flag<std::string>{.name = "--queue",
                                   .value_name = "QUEUE",
                                   .help = "the queue --task sends to",
                                   .fallback = "celery"});
  f.add(o.task_timeout,
        flag<std::chrono::milliseconds>{
            .name = "--task-timeout",
            .value_name = "DURATION",
            .help = "how long --task waits for its result, within --timeout",
            .fallback = std::chrono::seconds(5),
            .check = [](const std::chrono::milliseconds& v) -> std::optional<std::string> {
              if (v.count() < 1) return "must be at least 1ms";
              if (v > std::chrono::hours(1)) return "must be at most 1h";
              return std::nullopt;
            }});
  f.add(o.expect_status_text,
        flag<std::string>{.name = "--expect-status",
                          .value_name = "LIST",
                          .help = "HTTP statuses that pass, codes or classes: 200,204,3xx",
                          .fallback = "2xx"});
  f.add(o.expect_json_text,
        list_flag<std::string>{.name = "--expect-json",
                               .value_name = "PATH=VALUE",
                               .help = "the HTTP body is JSON with this value at PATH "
                                       "(repeatable; default .status=ok for a URL ending in "
                                       "/health-check/)"});
  f.add(o.expect_body, flag<std::string>{.name = "--expect-body",
                                         .value_name = "TEXT",
                                         .help = "the HTTP body contains this text"});
  f.add(o.expect_regex_text,
        flag<std::string>{.name = "--expect-regex",
                          .value_name = "REGEX",
                          .help = "the HTTP body matches this ECMAScript regular expression"});
  f.add(o.invert_regex,
        flag<bool>{.name = "--invert-regex",
                   .help = "CRITICAL when the body matches --expect-regex, instead of when it "
                           "does not (check_http's --invert-regex)"});
  f.add(o.header_text, list_flag<std::string>{.name = "--header",
                                              .value_name = "'NAME: VALUE'",
                                              .help = "send this header with HTTP probes "
                                                      "(repeatable)"});
  f.add(o.basic_auth,
        flag<std::string>{.name = "--basic-auth",
                          .env = {"VMTERM_HEALTH_BASIC_AUTH"},
                          .value_name = "USER:PASSWORD",
                          .help = "send these HTTP Basic credentials with HTTP probes "
                                  "(check_http's -a); the variable keeps the password out of ps",
                          .secret = true});
  f.add(o.insecure, flag<bool>{.name = "--insecure",
                               .help = "do not verify HTTPS certificates (verified by default)"});
  f.add(o.cacert, flag<std::string>{.name = "--cacert",
                                    .value_name = "FILE",
                                    .help = "trust the CA certificates in this PEM file instead "
                                            "of the system's"});
  f.add(o.cert, flag<std::string>{.name = "--cert",
                                  .value_name = "FILE",
                                  .help = "send this client certificate (PEM) when an HTTPS "
                                          "server asks for one"});
  f.add(o.key, flag<std::string>{.name = "--key",
                                 .value_name = "FILE",
                                 .help = "the unencrypted private key (PEM) of --cert"});
  f.add(o.cert_days_text,
        flag<std::string>{.name = "--cert-days",
                          .value_name = "WARN,CRIT",
                          .help = "WARNING or CRITICAL when an HTTPS server's certificate "
                                  "expires in fewer days, checked with the content"});
  f.add(o.proxy, flag<std::string>{.name = "--proxy",
                                   .value_name = "URL",
                                   .help = "send HTTP probes and pings through this http:// "
                                           "proxy (CONNECT for https://); "
                                           "http://USER:PASSWORD@HOST:PORT authenticates"});
  f.add(o.proxy_from_env,
        flag<bool>{.name = "--proxy-from-env",
                   .help = "use the http_proxy, https_proxy and no_proxy variables (ignored "
                           "otherwise)"});
  f.add(o.ipv4, flag<bool>{.name = "-4,--ipv4", .help = "every probe connects over IPv4 only"});
  f.add(o.ipv6, flag<bool>{.name = "-6,--ipv6", .help = "every probe connects over IPv6 only"});
  f.add(o.retries, flag<int>{.name = "--retries",
                             .value_name = "N",
                             .help = "try a failing probe up to N more times, within --timeout",
                             .fallback = 0,
                             .check = [](const int& v) -> std::optional<std::string> {
                               if (v < 0 || v > 100) return "must be from 0 to 100";
                               return std::nullopt;
                             }});
  f.add(o.retry_delay, flag<std::chrono::milliseconds>{.name = "--retry-delay",
                                                       .value_name = "DURATION",
                                                       .help = "wait this long before each retry",
                                                       .fallback = std::chrono::seconds(1)});
  f.add(o.ping_url, flag<std::string>{.name = "--ping-url",
                                      .env = {"VMTERM_HEALTH_PING_URL"},
                                      .value_name = "URL",
                                      .help = "dead man's switch (healthchecks.io): GET URL/start "
                                              "before, POST the output to URL/<exit code> after"});
  f.add(o.warning_text,
        flag<std::string>{.name = "-w,--warning",
                          .value_name = "RANGE",
                          .help = "WARNING when a probe's latency is outside this Nagios range "
                                  "(0.5, 10:20, ~:2s, @100ms:200ms; seconds unless ms)"});
  f.add(o.critical_text,
        flag<std::string>{.name = "-c,--critical",
                          .value_name = "RANGE",
                          .help = "CRITICAL when a probe's latency is outside this range "
                                  "(checked before --warning)"});
  f.add(o.timeout,
        flag<std::chrono::milliseconds>{
            .name = "-t,--timeout",
            .env = {"VMTERM_HEALTH_TIMEOUT"},
            .value_name = "DURATION",
            .help = "each probe's deadline, and the whole run's",
            .fallback = std::chrono::seconds(10),
            .check = [](const std::chrono::milliseconds& v) -> std::optional<std::string> {
              if (v.count() < 1) return "must be at least 1ms";
              if (v > std::chrono::hours(1)) return "must be at most 1h";
              return std::nullopt;
            }});
  f.add(o.timeout_state_text,
        flag<std::string>{.name = "--timeout-state",
                          .value_name = "STATE",
                          .help = "the state of a probe that timed out: ok, warning, critical "
                                  "or unknown",
                          .fallback = "critical"});
  f.add(o.nagios, flag<bool>{.name = "--nagios",
                             .help = "Nagios plugin output: status line with perfdata first"});
  f.add(o.json, flag<bool>{.name = "--json", .help = "one JSON document on stdout"});
}

/// "200,204,3xx" → ranges; an error names the bad item.
std::optional<std::string> parse_statuses(const std::string& text, std::vector<status_range>& out) {
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    const std::string item = text.substr(pos, comma - pos);
    const bool is_class = item.size() == 3 && item[0] >= '1' && item[0] <= '5' &&
                          (item[1] == 'x' || item[1] == 'X') && (item[2] == 'x' || item[2] == 'X');
    bool is_code = item.size() == 3;
    for (char c : item) is_code = is_code && c >= '0' && c <= '9';
    if (is_class) {
      const auto base = static_cast<unsigned>(item[0] - '0') * 100;
      out.push_back({base, base + 99});
    } else if (is_code && item[0] >= '1' && item[0] <= '5') {
      const auto code = static_cast<unsigned>(std::stoul(item));
      out.push_back({code, code});
    } else {
      return "--expect-status '" + text + "': '" + item +
             "' is not an HTTP status; use codes and classes like 200,204,3xx";
    }
    pos = comma + 1;
  }
  return std::nullopt;
}

/// "30,14" → (30, 14): whole days, WARN above CRIT.
expected<std::pair<int, int>> parse_cert_days(const std::string& text) {
  const auto bad = [&](const std::string& why) {
    return fail(std::errc::invalid_argument,
                "--cert-days '" + text + "': " + why + "; give WARN,CRIT in days, e.g. 30,14");
  };
  const auto comma = text.find(',');
  if (comma == std::string::npos) return bad("not two numbers");
  auto warn = parse::integer(text.substr(0, comma), 0, 100000);
  auto crit = parse::integer(text.substr(comma + 1), 0, 100000);
  if (!warn || !crit) return bad("not two whole numbers");
  if (*warn < *crit) return bad("WARN is below CRIT");
  return std::pair<int, int>{static_cast<int>(*warn), static_cast<int>(*crit)};
}

/// Checks and parses what parse() collected; the first problem's reason, or nullopt.
std::optional<std::string> check(options& o) {
  if (o.http.empty() && o.redis.empty() && o.ssh.empty() && o.task.empty()) {
    return "no probe given; add --http URL, --redis URL, --ssh HOST or --task NAME";
  }
  if (o.nagios && o.json) return "--nagios and --json cannot be combined; choose one";
  for (const auto& text : o.http) {
    auto u = http::parse_url(text);
    if (!u) return "--http: " + u.error().message;
    o.http_urls.push_back(*u);
  }
  for (const auto& text : o.redis) {
    auto u = redis::parse_url(text);
    if (!u) return "--redis: " + u.error().message;
    o.redis_urls.push_back(*u);
  }
  for (const auto& text : o.ssh) {
    auto t = ssh::parse_target(text, "vmterm-health");
    if (!t) return "--ssh: " + t.error().message;
    o.ssh_targets.push_back(*t);
  }
  if (!o.task.empty()) {
    if (o.queue.empty()) return "--queue: an empty queue name; give e.g. celery";
    auto b = redis::parse_url(o.broker);
    if (!b) return "--broker: " + b.error().message;
    o.broker_url = *b;
    auto r = o.result_backend.empty() ? b : redis::parse_url(o.result_backend);
    if (!r) return "--result-backend: " + r.error().message;
    o.backend_url = *r;
  }
  o.known_hosts_file = o.known_hosts;
  if (o.known_hosts.starts_with("~/")) {
    const char* home = std::getenv("HOME");
    o.known_hosts_file =
        std::filesystem::path(home != nullptr ? home : "/") / o.known_hosts.substr(2);
  }
  if (auto e = parse_statuses(o.expect_status_text, o.expect_status)) return e;
  for (const auto& text : o.expect_json_text) {
    auto e = health::parse_json_expectation(text);
    if (!e) return "--expect-json " + e.error().message;
    o.expect_json.push_back(*e);
  }
  if (!o.expect_regex_text.empty()) {
    try {
      o.expect_regex.emplace(o.expect_regex_text, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return "--expect-regex '" + o.expect_regex_text + "': " + e.what();
    }
  }
  if (o.invert_regex && !o.expect_regex) {
    return "--invert-regex needs --expect-regex; give the regular expression the body must not "
           "match";
  }
  for (const auto& text : o.header_text) {
    const auto colon = text.find(':');
    if (colon == std::string::npos || colon == 0 ||
        text.find_first_of("\r\n") != std::string::npos) {
      return "--header '" + text +
             "': not 'NAME: VALUE'; use e.g. --header 'Accept: application/json'";
    }
    auto value = text.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    o.headers.emplace_back(text.substr(0, colon), value);
  }
  if (!o.basic_auth.empty()) {
    // The value is never repeated: it holds a password.
    if (o.basic_auth.find(':') == std::string::npos ||
        o.basic_auth.find_first_of("\r\n") != std::string::npos) {
      return "--basic-auth: not USER:PASSWORD; give e.g. monitor:PASSWORD (or set "
             "VMTERM_HEALTH_BASIC_AUTH)";
    }
    for (const auto& [name, value] : o.headers) {
      if (http::iequals(name, "Authorization")) {
        return "--basic-auth and --header 'Authorization: ...' cannot be combined; choose one";
      }
    }
    o.headers.emplace_back("Authorization", "Basic " + ssh::base64_encode(o.basic_auth));
  }
  if (!o.warning_text.empty()) {
    auto r = health::parse_range(o.warning_text);
    if (!r) return "--warning: " + r.error().message;
    o.warning = *r;
  }
  if (!o.critical_text.empty()) {
    auto r = health::parse_range(o.critical_text);
    if (!r) return "--critical: " + r.error().message;
    o.critical = *r;
  }
  if (o.ipv4 && o.ipv6) return "-4 and -6 cannot be combined; choose one";
  if (!o.key.empty() && o.cert.empty()) return "--key '" + o.key + "' needs --cert too";
  for (const auto* file : {&o.cacert, &o.cert, &o.key}) {
    if (!file->empty() && ::access(file->c_str(), R_OK) != 0) {
      const char* flag = file == &o.cacert ? "--cacert" : file == &o.cert ? "--cert" : "--key";
      return std::string(flag) + " '" + *file + "': cannot read it (" + std::strerror(errno) +
             "); give a readable PEM file";
    }
  }
  if (!o.cert_days_text.empty()) {
    auto days = parse_cert_days(o.cert_days_text);
    if (!days) return days.error().message;
    o.cert_days = *days;
  }
  if (!o.proxy.empty()) {
    // Credentials go to lib/http's Proxy-Authorization: the address is checked without them.
    std::string address = redacted_proxy(o.proxy);
    if (const auto stars = address.find("://***@"); stars != std::string::npos)
      address.erase(stars + 3, 4);
    auto p = http::parse_url(address);
    if (!p) return "--proxy: " + p.error().message;
    if (p->tls()) {
      return "--proxy '" + redacted_proxy(o.proxy) +
             "': an https:// proxy is not supported; give http://HOST:PORT";
    }
  }
  if (!o.ping_url.empty()) {
    auto p = http::parse_url(o.ping_url);
    if (!p) return "--ping-url: " + p.error().message;
    o.ping = *p;
  }
  if (!health::parse_state(o.timeout_state_text, o.timeout_state)) {
    return "--timeout-state '" + o.timeout_state_text +
           "': not a state; use ok, warning, critical or unknown";
  }
  return std::nullopt;
}

}  // namespace

std::optional<int> parse_command_line(int argc, char** argv, options& opt) {
  CLI::App app{
      "vmterm-health: probe HTTP, Redis, SSH and task queues once, for cron and Nagios; exit "
      "0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN"};
  app.name(tool);
  config::add_version_flag(app, tool, "-V,--version");
  config::flag_set flags(app);
  add_flags(flags, opt);
  app.add_flag(
      "-v,--verbose", opt.verbose,
      "more detail after the first line (up to three times); the first line never changes");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version: exit 0 (documented)
    std::string message = config::usage_message(app, e, tool);
    const std::string prefix = std::string(tool) + ": ";
    if (message.starts_with(prefix)) message.erase(0, prefix.size());
    return usage(message);
  }
  if (auto ok = flags.resolve(); !ok) return usage(ok.error().message);
  if (opt.verbose > 3) opt.verbose = 3;
  if (auto problem = check(opt)) return usage(*problem);
  return std::nullopt;
}

std::string redacted_proxy(const std::string& proxy) {
  const auto start = proxy.find("://");
  if (start == std::string::npos) return proxy;
  const auto end = proxy.find_first_of("/?#", start + 3);
  const auto at = proxy.rfind('@', end == std::string::npos ? std::string::npos : end);
  if (at == std::string::npos || at < start) return proxy;
  return proxy.substr(0, start + 3) + "***" + proxy.substr(at);
}

}  // namespace vmterm::health_tool
