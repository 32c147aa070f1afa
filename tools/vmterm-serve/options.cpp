#include "options.hpp"

#include <algorithm>
#include <cctype>

#include "core/address.hpp"
#include "core/parse.hpp"
#include "http/host_check.hpp"
#include "http/listen_address.hpp"
#include "redis/url.hpp"
#include "ssh/ssh_options.hpp"
#include "ssh/target.hpp"
#include "term/session_hub.hpp"

namespace vmterm::serve {
namespace {

using namespace std::chrono_literals;
using config::flag;
using config::list_flag;
using std::chrono::milliseconds;

/// The library defaults are the flags' defaults: written once, in lib/term and lib/ssh.
const term::hub_options hub_defaults{};
const ssh::ssh_options ssh_defaults{};
constexpr std::int64_t max_sessions_limit = 100000;
constexpr std::uint64_t min_message = 4096;  // the page sends input in pieces of 4 KiB
constexpr std::uint64_t max_message_limit = 64u << 20;

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

expected<std::string> listen_address(std::string_view text) {
  auto where = http::parse_listen_address(text);
  if (!where) return tl::unexpected(where.error());
  return std::string(text);
}

expected<std::string> base_path(std::string_view p) {
  if (p.empty() || p.front() != '/') {
    return fail(std::errc::invalid_argument,
                quoted(p) + " does not start with '/'; use e.g. /vmterm");
  }
  const bool odd = std::any_of(p.begin(), p.end(), [](char c) {
    return c == '?' || c == '#' || c == '%' || std::isspace(static_cast<unsigned char>(c)) ||
           std::iscntrl(static_cast<unsigned char>(c));
  });
  if (odd || p.find("//") != std::string_view::npos || p.find("/../") != std::string_view::npos ||
      p.find("/./") != std::string_view::npos || p.ends_with("/..") || p.ends_with("/.")) {
    return fail(std::errc::invalid_argument,
                quoted(p) +
                    " is not a plain path; use letters, digits, '-', '_' and '/' such as "
                    "/vmterm");
  }
  return std::string(p.back() == '/' ? p : std::string(p) + "/");
}

expected<std::string> origin(std::string_view o) {
  if (!address::valid_origin(o)) {
    return fail(std::errc::invalid_argument,
                quoted(o) +
                    " is not an origin; use scheme://host[:port] such as "
                    "https://example.com, or *");
  }
  return std::string(o.size() > 1 && o.back() == '/' ? o.substr(0, o.size() - 1) : o);
}

expected<std::string> host_name(std::string_view text) {
  return http::normalize_host_name(parse::trim(text));
}

expected<std::size_t> session_count(std::string_view text) {
  auto n = parse::integer(parse::trim(text), 1, max_sessions_limit);
  if (!n) return tl::unexpected(n.error());
  return static_cast<std::size_t>(*n);
}

expected<std::size_t> message_size(std::string_view text) {
  auto size = parse::size(parse::trim(text));
  if (!size) return tl::unexpected(size.error());
  if (*size < min_message || *size > max_message_limit) {
    return fail(std::errc::invalid_argument, quoted(text) + " is out of range; use 4KiB to 64MiB");
  }
  return static_cast<std::size_t>(*size);
}

/// A duration (a bare number is seconds), as every duration flag reads it.
expected<milliseconds> duration(std::string_view text) {
  auto d = parse::duration(parse::trim(text), std::chrono::seconds(1));
  if (!d) return tl::unexpected(d.error());
  return std::chrono::duration_cast<milliseconds>(*d);
}

expected<milliseconds> ssh_timeout(std::string_view text) {
  auto t = duration(text);
  if (t && (*t < 100ms || *t > 10min)) {
    return fail(std::errc::invalid_argument,
                quoted(text) + " is out of range; use 100ms to 10m, such as 15s");
  }
  return t;
}

expected<milliseconds> ssh_keepalive(std::string_view text) {
  auto k = duration(text);
  if (k && ((k->count() % 1000) != 0 || *k > 24h)) {
    return fail(std::errc::invalid_argument,
                quoted(text) + " is not whole seconds up to 24h; use e.g. 30s, or 0 for none");
  }
  return k;
}

expected<std::string> on_off(std::string_view text) {
  const auto v = parse::trim(text);
  if (v != "on" && v != "off")
    return fail(std::errc::invalid_argument, quoted(text) + " is not on or off");
  return std::string(v);
}

/// An SSH target, kept as text (settings.cpp parses it again into an ssh::target); one without
/// "USER@" takes AWS_USERNAME.
expected<std::optional<std::string>> ssh_target(std::string_view text) {
  const auto user = config::process_env()("AWS_USERNAME").value_or("");
  auto t = ssh::parse_target(parse::trim(text), user);
  if (!t) return tl::unexpected(t.error());
  return std::string(parse::trim(text));
}

/// A Redis URL, kept as text (settings.cpp parses it again into a redis::url).
expected<std::string> redis_url(std::string_view text) {
  auto u = redis::parse_url(parse::trim(text));
  if (!u) return tl::unexpected(u.error());
  return std::string(parse::trim(text));
}

void add_listen_flags(config::flag_set& f, options& opt) {
  f.add(opt.listen, flag<std::string>{.name = "--listen",
                                      .env = {"VMTERM_LISTEN"},
                                      .value_name = "HOST:PORT",
                                      .help = "address to listen on, HOST:PORT (IPv6 in brackets; "
                                              "port 0: any free port)",
                                      .fallback = "127.0.0.1:8000",
                                      .parse = &listen_address});
  f.add(opt.base_path, flag<std::string>{.name = "--base-path",
                                         .env = {"VMTERM_BASE_PATH"},
                                         .value_name = "PATH",
                                         .help = "serve everything below this path, e.g. /vmterm "
                                                 "behind a reverse proxy",
                                         .fallback = "/",
                                         .parse = &base_path});
  auto* cert = f.add(opt.tls_cert, flag<std::optional<std::string>>{
                                       .name = "--tls-cert",
                                       .value_name = "PEM",
                                       .help = "serve HTTPS and WSS with this PEM certificate "
                                               "chain (needs --tls-key)"});
  auto* key = f.add(opt.tls_key, flag<std::optional<std::string>>{
                                     .name = "--tls-key",
                                     .value_name = "PEM",
                                     .help = "the PEM private key for --tls-cert (needs "
                                             "--tls-cert)"});
  cert->needs(key);
  key->needs(cert);
}

void add_auth_flags(config::flag_set& f, options& opt) {
  auto* file = f.add(opt.token_file, flag<std::optional<std::string>>{
                                         .name = "--token-file",
                                         .env = {"VMTERM_TOKEN_FILE"},
                                         .value_name = "FILE",
                                         .help = "read the login token from this file instead of "
                                                 "generating one (or the token itself in "
                                                 "VMTERM_TOKEN)"});
  auto* none = f.add(opt.no_auth, flag<bool>{.name = "--no-auth",
                                             .help = "no token at all (only with a loopback "
                                                     "--listen address; warns)"});
  none->excludes(file);
  f.add(opt.allow_origins,
        list_flag<std::string>{.name = "--allow-origin",
                               .value_name = "ORIGIN",
                               .help = "also accept WebSocket upgrades from this origin, e.g. "
                                       "https://example.com (repeatable; * accepts any)",
                               .parse = &origin,
                               .split_commas = false});
  f.add(opt.allow_hosts,
        list_flag<std::string>{
            .name = "--allow-host",
            .env = {"VMTERM_ALLOW_HOST"},
            .value_name = "NAME",
            .help = "also answer requests whose Host header is this name, e.g. the name a "
                    "reverse proxy or a browser uses (repeatable or comma-separated; * accepts "
                    "any)",
            .parse = &host_name,
            .default_note = ": the listen address, and localhost, 127.0.0.1 and ::1 for a "
                            "loopback one"});
}

void add_session_flags(config::flag_set& f, options& opt) {
  f.add(opt.command, flag<std::optional<std::string>>{
                         .name = "--command",
                         .env = {"VMTERM_COMMAND"},
                         .value_name = "COMMAND",
                         .help = "the program for each session, split into words at blanks "
                                 "('...' and \"...\" quote; no shell); with --ssh, the remote "
                                 "command, run by the remote user's shell",
                         .default_note = ": your login shell"});
  f.add(opt.max_sessions, flag<std::size_t>{.name = "--max-sessions",
                                            .value_name = "N",
                                            .help = "at most this many sessions at once; more "
                                                    "are refused",
                                            .fallback = hub_defaults.max_sessions,
                                            .parse = &session_count});
  f.add(opt.idle_timeout,
        flag<milliseconds>{.name = "--idle-timeout",
                           .value_name = "DURATION",
                           .help = "end a session after this long without input, e.g. 30m",
                           .fallback = hub_defaults.idle_timeout,
                           .default_note = ": never"});
  f.add(opt.resume_grace,
        flag<milliseconds>{.name = "--resume-grace",
                           .value_name = "DURATION",
                           .help = "keep a session whose connection dropped this long for the "
                                   "page to resume",
                           .fallback = hub_defaults.resume_grace,
                           .default_note = "; 0: end it at once"});
  f.add(opt.max_message,
        flag<std::size_t>{.name = "--max-message",
                          .value_name = "SIZE",
                          .help = "largest message a client may send, e.g. 64KiB; larger closes "
                                  "with 1009",
                          .fallback = hub_defaults.max_message,
                          .parse = &message_size,
                          .show = [](const std::size_t& n) { return parse::size_text(n); }});
  f.add(opt.readonly, flag<bool>{.name = "--readonly",
                                 .help = "show the terminal but drop every keystroke (resizing "
                                         "still works)"});
}

void add_ssh_flags(config::flag_set& f, options& opt) {
  // AWS_HOSTNAME and AWS_USERNAME: the original app's variables.
  f.add(opt.ssh, flag<std::optional<std::string>>{
                     .name = "--ssh",
                     .env = {"VMTERM_SSH", "AWS_HOSTNAME"},
                     .value_name = "USER@HOST[:PORT]",
                     .help = "each session is a shell on this SSH server instead of a local "
                             "one (a target without USER@ logs in as AWS_USERNAME)",
                     .parse = &ssh_target});
  f.add(opt.identity, flag<std::optional<std::string>>{
                          .name = "-i,--identity",
                          .env = {"VMTERM_IDENTITY"},
                          .value_name = "FILE",
                          .help = "log in with this private key, e.g. the EC2 key pair's aws.pem "
                                  "(mode 600)",
                          .default_note = ": the keys in ssh-agent, SSH_AUTH_SOCK"});
  f.add(opt.passphrase_file,
        flag<std::optional<std::string>>{
            .name = "--identity-passphrase-file",
            .value_name = "FILE",
            .help = "the --identity key's passphrase is the first line of this file (mode 600)"});
  f.add(opt.known_hosts,
        flag<std::optional<std::string>>{.name = "--known-hosts",
                                         .env = {"VMTERM_KNOWN_HOSTS"},
                                         .value_name = "FILE",
                                         .help = "check the server's host key against this OpenSSH "
                                                 "known_hosts file",
                                         .default_note = " ~/.ssh/known_hosts"});
  f.add(opt.accept_new_host_key,
        flag<bool>{.name = "--accept-new-host-key",
                   .help = "trust an unknown host key on first use and append it to the "
                           "known_hosts file (a changed key is always refused)"});
  f.add(opt.ssh_timeout,
        flag<milliseconds>{.name = "--ssh-timeout",
                           .value_name = "DURATION",
                           .help = "give up connecting (TCP, handshake, login, shell) after "
                                   "this long",
                           .fallback = ssh_defaults.timeout,
                           .parse = &ssh_timeout});
  f.add(opt.ssh_keepalive,
        flag<milliseconds>{.name = "--ssh-keepalive",
                           .value_name = "DURATION",
                           .help = "send a keepalive this often; 3 unanswered end the session",
                           .fallback = ssh_defaults.keepalive,
                           .parse = &ssh_keepalive,
                           .default_note = "; 0: none"});
}

void add_service_flags(config::flag_set& f, options& opt) {
  f.add(opt.redis_url, flag<std::optional<std::string>>{
                           .name = "--redis-url",
                           .env = {"VMTERM_REDIS_URL"},
                           .value_name = "redis://[USER:PASSWORD@]HOST:PORT/DB",
                           .help = "also check this Redis: /health-check/ and /readyz PING it "
                                   "and answer 503 while it is down",
                           .parse = &redis_url,
                           .default_note = ": no Redis check",
                           .secret = true});
  config::add_log_flags(f, opt.log_format, opt.log_level);
  f.add(opt.compression, flag<std::string>{.name = "--compression",
                                           .value_name = "on|off",
                                           .help = "permessage-deflate for clients that offer "
                                                   "it: on or off",
                                           .fallback = hub_defaults.compression ? "on" : "off",
                                           .parse = &on_off});
}

}  // namespace

void add_flags(config::flag_set& flags, options& opt) {
  add_listen_flags(flags, opt);
  add_auth_flags(flags, opt);
  add_session_flags(flags, opt);
  add_ssh_flags(flags, opt);
  add_service_flags(flags, opt);
  http::add_request_tracing_flags(flags, opt.request_tracing);
}

std::optional<int> parse_command_line(int argc, char** argv, options& opt) {
  CLI::App app{
      "vmterm-serve: a terminal in the browser for a local shell or an SSH server, behind a "
      "login token"};
  app.name("vmterm-serve");
  config::flag_set flags(app);
  add_flags(flags, opt);
  if (auto code = config::parse_command_line(app, argc, argv, "vmterm-serve", {&flags})) {
    return code;
  }
  for (auto& [name, from] : flags.origins()) opt.origins[name] = from;
  return std::nullopt;
}

}  // namespace vmterm::serve
