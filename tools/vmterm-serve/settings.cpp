#include "settings.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <utility>

#include "core/address.hpp"
#include "core/command_line.hpp"
#include "core/parse.hpp"
#include "core/read_file.hpp"
#include "setting_value.hpp"
#include "ssh/key_file.hpp"

namespace vmterm::serve {
namespace {

using detail::bad;
using detail::given;
using detail::given_of;
using detail::in_quotes;

/// Shortest token accepted from a file or VMTERM_TOKEN (a generated one has 43 characters).
constexpr std::size_t min_token_length = 16;

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
  if (auto file = given_of(opt, "--token-file", opt.token_file)) {
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

expected<void> resolve_command(const options& opt, settings& s) {
  const auto g = given_of(opt, "--command", opt.command);
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

/// The values each flag checked on its own, in the settings' types.
void copy_checked(const options& opt, settings& s) {
  s.log_format = *log::parse_format(opt.log_format);
  s.log_level = *log::parse_level(opt.log_level);
  s.request_tracing = opt.request_tracing;
  s.listen = *http::parse_listen_address(opt.listen);
  s.base_path = opt.base_path;
  s.allowed_origins = opt.allow_origins;
  s.allowed_hosts = opt.allow_hosts;
  s.max_sessions = opt.max_sessions;
  s.idle_timeout = opt.idle_timeout;
  s.resume_grace = opt.resume_grace;
  s.max_message = opt.max_message;
  s.readonly = opt.readonly;
  s.compression = opt.compression == "on";
  if (opt.redis_url) s.redis = *redis::parse_url(*opt.redis_url);
}

}  // namespace

expected<settings> resolve(const options& opt, const config::env_lookup& env,
                           std::string (*generate_token)()) {
  settings s;
  copy_checked(opt, s);
  if (auto ok = resolve_tls(opt, s); !ok) return tl::unexpected(ok.error());
  // SSH before --command, which is the remote command with --ssh.
  if (auto ok = detail::resolve_ssh(opt, env, s); !ok) return tl::unexpected(ok.error());
  if (auto ok = resolve_command(opt, s); !ok) return tl::unexpected(ok.error());
  // Last: a bad flag elsewhere must not cost a generated token. --no-auth looks at the listen
  // address.
  if (auto ok = resolve_auth(opt, env, generate_token, s); !ok) return tl::unexpected(ok.error());
  return s;
}

}  // namespace vmterm::serve
