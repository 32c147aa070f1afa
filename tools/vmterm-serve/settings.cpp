#include "settings.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "core/parse.hpp"
#include "core/read_file.hpp"
#include "http/host_check.hpp"
#include "ssh/key_file.hpp"
#include "ssh/target.hpp"

namespace vmterm::serve {
namespace {

using namespace std::chrono_literals;

/// Shortest token accepted from a file or VMTERM_TOKEN (a generated one has 43 characters).
constexpr std::size_t min_token_length = 16;
constexpr std::int64_t max_sessions_limit = 100000;
constexpr std::size_t min_message = 4096;  // the page sends input in pieces of 4 KiB
constexpr std::size_t max_message_limit = 64u << 20;

/// One value as given, and where it came from, for messages.
struct given {
  std::string text;
  std::string where;  ///< "--listen" or "VMTERM_LISTEN"
  bool from_env = false;
  bool secret = false;  ///< never repeat the text (VMTERM_TOKEN)
};

/// flag > environment (empty counts as unset) > nothing.
std::optional<given> pick(std::string_view flag, const std::optional<std::string>& value,
                          std::string_view env_name, const config::env_lookup& env) {
  if (value) return given{*value, std::string(flag), false};
  if (!env_name.empty()) {
    if (auto text = env(env_name)) return given{*text, std::string(env_name), true};
  }
  return std::nullopt;
}

/// "--max-sessions: '0' is out of range; ..." or, for a variable,
/// "environment variable VMTERM_LISTEN='x': ...; fix or unset VMTERM_LISTEN".
error bad(const given& g, std::string_view message) {
  if (g.from_env) {
    const auto shown = g.secret ? std::string() : "='" + g.text + "'";
    return error{std::make_error_code(std::errc::invalid_argument),
                 "environment variable " + g.where + shown + ": " + std::string(message) +
                     "; fix or unset " + g.where};
  }
  return error{std::make_error_code(std::errc::invalid_argument),
               g.where + ": " + std::string(message)};
}

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

expected<void> resolve_listen(const options& opt, const config::env_lookup& env, settings& s) {
  const auto g = pick("--listen", opt.listen, "VMTERM_LISTEN", env)
                     .value_or(given{default_listen, "--listen", false});
  auto where = http::parse_listen_address(g.text);
  if (!where) return tl::unexpected(bad(g, where.error().message));
  s.listen = *where;
  return {};
}

/// --allow-host (repeatable) or VMTERM_ALLOW_HOST ("a.example, b.example").
expected<void> resolve_allow_hosts(const options& opt, const config::env_lookup& env, settings& s) {
  // Each name with where it came from (for an error, the variable's whole value).
  std::vector<std::pair<std::string, given>> names;
  for (const auto& h : opt.allow_hosts) names.push_back({h, given{h, "--allow-host", false}});
  if (names.empty()) {
    if (const auto text = env("VMTERM_ALLOW_HOST")) {
      const given g{*text, "VMTERM_ALLOW_HOST", true};
      std::string word;
      for (const char c : *text + ",") {
        if (c != ',' && !std::isspace(static_cast<unsigned char>(c))) {
          word += c;
        } else if (!word.empty()) {
          names.push_back({std::exchange(word, {}), g});
        }
      }
    }
  }
  for (const auto& [text, g] : names) {
    auto name = http::normalize_host_name(parse::trim(text));
    if (!name) return tl::unexpected(bad(g, name.error().message));
    s.allowed_hosts.push_back(std::move(*name));
  }
  return {};
}

expected<void> resolve_base_path(const options& opt, const config::env_lookup& env, settings& s) {
  const auto g = pick("--base-path", opt.base_path, "VMTERM_BASE_PATH", env);
  if (!g) return {};
  const auto& p = g->text;
  if (p.empty() || p.front() != '/') {
    return tl::unexpected(bad(*g, in_quotes(p) + " does not start with '/'; use e.g. /vmterm"));
  }
  const bool odd = std::any_of(p.begin(), p.end(), [](char c) {
    return c == '?' || c == '#' || c == '%' || std::isspace(static_cast<unsigned char>(c)) ||
           std::iscntrl(static_cast<unsigned char>(c));
  });
  if (odd || p.find("//") != std::string::npos || p.find("/../") != std::string::npos ||
      p.find("/./") != std::string::npos || p.ends_with("/..") || p.ends_with("/.")) {
    return tl::unexpected(bad(
        *g, in_quotes(p) + " is not a plain path; use letters, digits, '-', '_' and '/' such as "
                           "/vmterm"));
  }
  s.base_path = p.back() == '/' ? p : p + "/";
  return {};
}

expected<std::string> read_token_file(const given& g) {
  std::error_code ec;
  std::string content = read_file(g.text, ec, 4096);
  if (ec) {
    return tl::unexpected(bad(g, "cannot read " + in_quotes(g.text) + ": " +
                                     errno_words(ec.value()) +
                                     "; give a readable file holding the token"));
  }
  // A credential: refused, like an SSH key, when the group or others may read it.
  if (auto ok = ssh::check_private_file(g.text, "token file"); !ok) {
    return tl::unexpected(bad(g, ok.error().message));
  }
  return std::string(parse::trim(content));
}

expected<void> check_token(const given& g, std::string_view token) {
  const auto what = g.secret ? std::string("the token") : "the token in " + in_quotes(g.text);
  if (token.empty()) return tl::unexpected(bad(g, what + " is empty; put the token in it"));
  const bool url_safe = std::all_of(token.begin(), token.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
           c == '~';
  });
  if (!url_safe) {
    return tl::unexpected(bad(g, what + " has characters other than letters, digits and - _ . ~; "
                                        "make one with: openssl rand -hex 32"));
  }
  if (token.size() < min_token_length) {
    return tl::unexpected(bad(g, what + " is shorter than " + std::to_string(min_token_length) +
                                     " characters; make one with: openssl rand -hex 32"));
  }
  return {};
}

expected<void> resolve_auth(const options& opt, const config::env_lookup& env,
                            std::string (*generate_token)(), settings& s) {
  if (opt.no_auth) {
    if (!is_loopback(s.listen)) {
      return fail(std::errc::invalid_argument,
                  "--no-auth: only with a loopback listen address, not '" + s.listen.str() +
                      "'; listen on 127.0.0.1 (--listen) or drop --no-auth");
    }
    s.token_from = token_source::none;
    return {};
  }
  if (auto file = pick("--token-file", opt.token_file, "VMTERM_TOKEN_FILE", env)) {
    auto token = read_token_file(*file);
    if (!token) return tl::unexpected(token.error());
    if (auto ok = check_token(*file, *token); !ok) return ok;
    s.token = std::move(*token);
    s.token_from = token_source::file;
  } else if (auto text = env("VMTERM_TOKEN")) {
    const auto token = parse::trim(*text);
    // The token is a secret: a message about it must not repeat it.
    if (auto ok = check_token(given{"", "VMTERM_TOKEN", true, true}, token); !ok) return ok;
    s.token = std::string(token);
    s.token_from = token_source::environment;
  } else {
    s.token = generate_token();
    s.token_from = token_source::generated;
  }
  for (const auto& o : opt.allow_origins) {
    if (!valid_origin(o)) {
      return tl::unexpected(bad(given{o, "--allow-origin", false},
                                in_quotes(o) +
                                    " is not an origin; use scheme://host[:port] such as "
                                    "https://example.com, or *"));
    }
    s.allowed_origins.push_back(o.size() > 1 && o.back() == '/' ? o.substr(0, o.size() - 1) : o);
  }
  return {};
}

expected<void> resolve_tls(const options& opt, settings& s) {
  using flag_path = std::pair<const char*, const std::optional<std::string>*>;
  for (const auto& [flag, path] :
       {flag_path{"--tls-cert", &opt.tls_cert}, flag_path{"--tls-key", &opt.tls_key}}) {
    if (!*path) continue;
    std::error_code ec;
    (void)read_file(**path, ec);
    if (ec) {
      return tl::unexpected(bad(given{**path, flag, false}, "cannot read " + in_quotes(**path) +
                                                                ": " + errno_words(ec.value())));
    }
  }
  // The private key: refused, like an SSH key, when the group or others may read it.
  if (opt.tls_key) {
    if (auto ok = ssh::check_private_file(*opt.tls_key, "TLS key"); !ok) {
      return tl::unexpected(bad(given{*opt.tls_key, "--tls-key", false}, ok.error().message));
    }
  }
  s.tls_cert = opt.tls_cert;
  s.tls_key = opt.tls_key;
  return {};
}

expected<void> resolve_command(const options& opt, const config::env_lookup& env, settings& s) {
  const auto g = pick("--command", opt.command, "VMTERM_COMMAND", env);
  if (!g) return {};
  if (s.ssh) {
    // As `ssh HOST COMMAND`: the text goes to the server, whose shell for the user runs it.
    const auto text = parse::trim(g->text);
    if (text.empty()) return tl::unexpected(bad(*g, "empty command; give the remote command"));
    s.ssh->command = std::string(text);
    return {};
  }
  auto words = split_command(g->text);
  if (!words) {
    return tl::unexpected(
        bad(*g, words.error().message + "; give a program and its arguments, e.g. 'bash -l'"));
  }
  s.command = std::move(*words);
  return {};
}

expected<std::chrono::milliseconds> duration_of(const std::optional<std::string>& value,
                                                std::string_view flag,
                                                std::chrono::milliseconds fallback);

/// The SSH target: --ssh, VMTERM_SSH, or AWS_HOSTNAME (the original app's variables); a target
/// without "USER@" takes AWS_USERNAME.
expected<std::optional<ssh::target>> resolve_target(const options& opt,
                                                    const config::env_lookup& env) {
  auto g = pick("--ssh", opt.ssh, "VMTERM_SSH", env);
  if (!g) g = pick("", std::nullopt, "AWS_HOSTNAME", env);
  if (!g) return std::nullopt;
  const auto user = env("AWS_USERNAME").value_or("");
  auto t = ssh::parse_target(parse::trim(g->text), user);
  if (!t) return tl::unexpected(bad(*g, t.error().message));
  return std::optional<ssh::target>(std::move(*t));
}

/// A private file given to a flag: refused when missing or readable by group or others.
expected<std::filesystem::path> private_file(const std::optional<given>& g, std::string_view what) {
  if (!g) return std::filesystem::path{};
  auto ok = ssh::check_private_file(g->text, what);
  if (!ok) return tl::unexpected(bad(*g, ok.error().message));
  return std::filesystem::path(g->text);
}

expected<void> resolve_ssh_files(const options& opt, const config::env_lookup& env,
                                 ssh::ssh_options& o) {
  auto identity =
      private_file(pick("--identity", opt.identity, "VMTERM_IDENTITY", env), "identity file");
  if (!identity) return tl::unexpected(identity.error());
  o.identity = *identity;
  const auto pass = pick("--identity-passphrase-file", opt.passphrase_file, "", env);
  if (pass && o.identity.empty()) {
    return tl::unexpected(bad(*pass, "a passphrase needs a key; give --identity FILE as well"));
  }
  auto pass_file = private_file(pass, "passphrase file");
  if (!pass_file) return tl::unexpected(pass_file.error());
  o.passphrase_file = *pass_file;
  if (o.identity.empty()) {
    o.agent_socket = env("SSH_AUTH_SOCK").value_or("");
    if (o.agent_socket.empty()) {
      return fail(std::errc::invalid_argument,
                  "--ssh: no key to log in with: give --identity FILE (for EC2, the key pair's "
                  ".pem) or start ssh-agent and ssh-add the key (SSH_AUTH_SOCK is not set)");
    }
  }
  o.accept_new_host_key = opt.accept_new_host_key;
  if (auto g = pick("--known-hosts", opt.known_hosts, "VMTERM_KNOWN_HOSTS", env)) {
    std::error_code ec;
    const bool exists = std::filesystem::exists(g->text, ec);
    if (!exists && !o.accept_new_host_key) {
      return tl::unexpected(
          bad(*g, in_quotes(g->text) +
                      " does not exist; add the host's key to it (ssh-keyscan over a path you "
                      "trust) or give --accept-new-host-key to create it on first use"));
    }
    if (exists && !std::filesystem::is_regular_file(g->text, ec)) {
      return tl::unexpected(bad(*g, in_quotes(g->text) + " is not a file"));
    }
    o.known_hosts = g->text;
  }
  return {};
}

expected<void> resolve_ssh_times(const options& opt, ssh::ssh_options& o) {
  if (opt.ssh_timeout) {
    auto t = duration_of(opt.ssh_timeout, "--ssh-timeout", 15s);
    if (!t) return tl::unexpected(t.error());
    if (*t < 100ms || *t > 10min) {
      return tl::unexpected(
          bad(given{*opt.ssh_timeout, "--ssh-timeout", false},
              in_quotes(*opt.ssh_timeout) + " is out of range; use 100ms to 10m, such as 15s"));
    }
    o.timeout = *t;
  }
  if (opt.ssh_keepalive) {
    auto k = duration_of(opt.ssh_keepalive, "--ssh-keepalive", 30s);
    if (!k) return tl::unexpected(k.error());
    if ((k->count() % 1000) != 0 || *k > 24h) {
      return tl::unexpected(
          bad(given{*opt.ssh_keepalive, "--ssh-keepalive", false},
              in_quotes(*opt.ssh_keepalive) +
                  " is not whole seconds up to 24h; use e.g. 30s, or 0 for none"));
    }
    o.keepalive = std::chrono::duration_cast<std::chrono::seconds>(*k);
  }
  return {};
}

/// The SSH flags without a target are a mistake worth naming, not something to ignore.
expected<void> refuse_ssh_flags_without_target(const options& opt) {
  const std::pair<const char*, bool> flags[] = {
      {"--identity", opt.identity.has_value()},
      {"--identity-passphrase-file", opt.passphrase_file.has_value()},
      {"--known-hosts", opt.known_hosts.has_value()},
      {"--accept-new-host-key", opt.accept_new_host_key},
      {"--ssh-timeout", opt.ssh_timeout.has_value()},
      {"--ssh-keepalive", opt.ssh_keepalive.has_value()}};
  for (const auto& [flag, given_here] : flags) {
    if (given_here) {
      return fail(std::errc::invalid_argument,
                  std::string(flag) + ": only with an SSH target; add --ssh USER@HOST (or drop " +
                      flag + ")");
    }
  }
  return {};
}

expected<void> resolve_ssh(const options& opt, const config::env_lookup& env, settings& s) {
  auto target = resolve_target(opt, env);
  if (!target) return tl::unexpected(target.error());
  if (!*target) return refuse_ssh_flags_without_target(opt);
  ssh::ssh_options o;
  o.target = std::move(**target);
  if (auto ok = resolve_ssh_files(opt, env, o); !ok) return ok;
  if (auto ok = resolve_ssh_times(opt, o); !ok) return ok;
  s.ssh = std::move(o);
  return {};
}

expected<std::chrono::milliseconds> duration_of(const std::optional<std::string>& value,
                                                std::string_view flag,
                                                std::chrono::milliseconds fallback) {
  if (!value) return fallback;
  // A bare number is seconds ("--idle-timeout 0").
  auto d = parse::duration(parse::trim(*value), std::chrono::seconds(1));
  if (!d) return tl::unexpected(bad(given{*value, std::string(flag), false}, d.error().message));
  return std::chrono::duration_cast<std::chrono::milliseconds>(*d);
}

expected<void> resolve_sessions(const options& opt, settings& s) {
  if (opt.max_sessions) {
    auto n = parse::integer(parse::trim(*opt.max_sessions), 1, max_sessions_limit);
    if (!n)
      return tl::unexpected(
          bad(given{*opt.max_sessions, "--max-sessions", false}, n.error().message));
    s.max_sessions = static_cast<std::size_t>(*n);
  }
  auto idle = duration_of(opt.idle_timeout, "--idle-timeout", 0ms);
  if (!idle) return tl::unexpected(idle.error());
  s.idle_timeout = *idle;
  auto grace = duration_of(opt.resume_grace, "--resume-grace", 60s);
  if (!grace) return tl::unexpected(grace.error());
  s.resume_grace = *grace;
  if (opt.max_message) {
    const given g{*opt.max_message, "--max-message", false};
    auto size = parse_size(parse::trim(g.text));
    if (!size) return tl::unexpected(bad(g, size.error().message));
    if (*size < min_message || *size > max_message_limit) {
      return tl::unexpected(bad(g, in_quotes(g.text) + " is out of range; use 4KiB to 64MiB"));
    }
    s.max_message = *size;
  }
  s.readonly = opt.readonly;
  if (opt.compression) {
    const given g{*opt.compression, "--compression", false};
    const auto v = parse::trim(g.text);
    if (v != "on" && v != "off")
      return tl::unexpected(bad(g, in_quotes(g.text) + " is not on or off"));
    s.compression = v == "on";
  }
  return {};
}

/// --redis-url / VMTERM_REDIS_URL. The text may hold a password: it is never repeated, and
/// lib/redis's message shows the URL with the password masked.
expected<void> resolve_redis(const options& opt, const config::env_lookup& env, settings& s) {
  auto g = pick("--redis-url", opt.redis_url, "VMTERM_REDIS_URL", env);
  if (!g) return {};
  g->secret = true;
  auto u = redis::parse_url(parse::trim(g->text));
  if (!u) return tl::unexpected(bad(*g, u.error().message));
  s.redis = std::move(*u);
  return {};
}

expected<void> resolve_logging(const options& opt, const config::env_lookup& env, settings& s) {
  if (auto g = pick("--log-format", opt.log_format, "VMTERM_LOG_FORMAT", env)) {
    auto f = log::parse_format(parse::trim(g->text));
    if (!f) return tl::unexpected(bad(*g, f.error().message));
    s.log_format = *f;
  }
  if (auto g = pick("--log-level", opt.log_level, "VMTERM_LOG_LEVEL", env)) {
    auto l = log::parse_level(parse::trim(g->text));
    if (!l) return tl::unexpected(bad(*g, l.error().message));
    s.log_level = *l;
  }
  return {};
}

}  // namespace

expected<settings> resolve(const options& opt, const config::env_lookup& env,
                           std::string (*generate_token)()) {
  settings s;
  // In order: --no-auth looks at the listen address.
  if (auto ok = resolve_logging(opt, env, s); !ok) return tl::unexpected(ok.error());
  if (auto ok = resolve_listen(opt, env, s); !ok) return tl::unexpected(ok.error());
  if (auto ok = resolve_base_path(opt, env, s); !ok) return tl::unexpected(ok.error());
  if (auto ok = resolve_allow_hosts(opt, env, s); !ok) return tl::unexpected(ok.error());
  if (auto ok = resolve_tls(opt, s); !ok) return tl::unexpected(ok.error());
  // SSH before --command, which is the remote command with --ssh.
  if (auto ok = resolve_ssh(opt, env, s); !ok) return tl::unexpected(ok.error());
  if (auto ok = resolve_command(opt, env, s); !ok) return tl::unexpected(ok.error());
  if (auto ok = resolve_sessions(opt, s); !ok) return tl::unexpected(ok.error());
  if (auto ok = resolve_redis(opt, env, s); !ok) return tl::unexpected(ok.error());
  // Last: a bad flag elsewhere must not cost a generated token.
  if (auto ok = resolve_auth(opt, env, generate_token, s); !ok) return tl::unexpected(ok.error());
  return s;
}

bool is_loopback(const http::endpoint& where) noexcept {
  if (where.address == "::1") return true;
  in_addr a{};
  if (inet_pton(AF_INET, where.address.c_str(), &a) != 1) return false;
  return (ntohl(a.s_addr) >> 24) == 127;
}

expected<std::size_t> parse_size(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, std::size_t>, 6> units{
      {{"", 1}, {"B", 1}, {"K", 1024}, {"KiB", 1024}, {"M", 1u << 20}, {"MiB", 1u << 20}}};
  const auto digits = std::find_if(text.begin(), text.end(), [](char c) {
    return !std::isdigit(static_cast<unsigned char>(c));
  });
  const auto count_text = text.substr(0, static_cast<std::size_t>(digits - text.begin()));
  const auto unit = text.substr(count_text.size());
  for (const auto& [name, scale] : units) {
    if (unit != name || count_text.empty()) continue;
    auto n = parse::integer(count_text, 0, std::int64_t{1} << 40);
    if (!n) break;
    return static_cast<std::size_t>(*n) * scale;
  }
  return fail(std::errc::invalid_argument,
              in_quotes(text) +
                  " is not a size; use a whole number of bytes or KiB/MiB such as "
                  "65536 or 64KiB");
}

expected<std::vector<std::string>> split_command(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote == '\'') {
      if (c == '\'')
        quote = 0;
      else
        word += c;
    } else if (c == '\\' && i + 1 < text.size() &&
               (quote == 0 || std::strchr("\"\\$`", text[i + 1]))) {
      word += text[++i];
      in_word = true;
    } else if (quote == '"') {
      if (c == '"')
        quote = 0;
      else
        word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::exchange(word, {}));
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != 0) {
    return fail(std::errc::invalid_argument, std::string("unterminated ") + quote + " quote");
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return fail(std::errc::invalid_argument, "empty command");
  return words;
}

bool valid_origin(std::string_view origin) noexcept {
  if (origin == "*") return true;
  std::string_view rest;
  if (origin.starts_with("http://")) {
    rest = origin.substr(7);
  } else if (origin.starts_with("https://")) {
    rest = origin.substr(8);
  } else {
    return false;
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  return !rest.empty() && std::all_of(rest.begin(), rest.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
           c == '[' || c == ']';
  });
}

}  // namespace vmterm::serve
