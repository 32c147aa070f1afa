#include "settings.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <utility>

#include "core/address.hpp"
#include "core/command_line.hpp"
#include "core/parse.hpp"
#include "core/read_file.hpp"
#include "http/host_check.hpp"
#include "setting_value.hpp"
#include "ssh/key_file.hpp"

namespace vmterm::serve {
namespace {

using namespace std::chrono_literals;
using detail::bad;
using detail::duration_of;
using detail::given;
using detail::in_quotes;
using detail::pick;

/// Shortest token accepted from a file or VMTERM_TOKEN (a generated one has 43 characters).
constexpr std::size_t min_token_length = 16;
constexpr std::int64_t max_sessions_limit = 100000;
constexpr std::size_t min_message = 4096;  // the page sends input in pieces of 4 KiB
constexpr std::size_t max_message_limit = 64u << 20;

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
    if (!address::is_loopback(s.listen.address)) {
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
    if (!address::valid_origin(o)) {
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
  auto words = parse::split_command(g->text);
  if (!words) {
    return tl::unexpected(
        bad(*g, words.error().message + "; give a program and its arguments, e.g. 'bash -l'"));
  }
  s.command = std::move(*words);
  return {};
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
    auto size = parse::size(parse::trim(g.text));
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
  if (auto ok = detail::resolve_ssh(opt, env, s); !ok) return tl::unexpected(ok.error());
  if (auto ok = resolve_command(opt, env, s); !ok) return tl::unexpected(ok.error());
  if (auto ok = resolve_sessions(opt, s); !ok) return tl::unexpected(ok.error());
  if (auto ok = resolve_redis(opt, env, s); !ok) return tl::unexpected(ok.error());
  // Last: a bad flag elsewhere must not cost a generated token.
  if (auto ok = resolve_auth(opt, env, generate_token, s); !ok) return tl::unexpected(ok.error());
  return s;
}

}  // namespace vmterm::serve
