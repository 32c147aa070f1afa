// vmterm-serve's SSH settings: the target (--ssh, VMTERM_SSH, AWS_HOSTNAME), the key, the
// passphrase and known_hosts files, and the connect timeout and keepalive.
#include <filesystem>
#include <utility>

#include "core/parse.hpp"
#include "setting_value.hpp"
#include "ssh/key_file.hpp"
#include "ssh/target.hpp"

namespace vmterm::serve::detail {
namespace {

/// The SSH target: --ssh, VMTERM_SSH, or AWS_HOSTNAME (the original app's variables); a target
/// without "USER@" takes AWS_USERNAME.
expected<std::optional<ssh::target>> resolve_target(const options& opt,
                                                    const config::env_lookup& env) {
  const auto g = given_of(opt, "--ssh", opt.ssh);
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
  auto identity = private_file(given_of(opt, "--identity", opt.identity), "identity file");
  if (!identity) return tl::unexpected(identity.error());
  o.identity = *identity;
  const auto pass = given_of(opt, "--identity-passphrase-file", opt.passphrase_file);
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
  if (auto g = given_of(opt, "--known-hosts", opt.known_hosts)) {
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

void resolve_ssh_times(const options& opt, ssh::ssh_options& o) {
  // Checked by their flags' parsers (options.cpp).
  o.timeout = opt.ssh_timeout;
  o.keepalive = std::chrono::duration_cast<std::chrono::seconds>(opt.ssh_keepalive);
}

/// The SSH flags without a target are a mistake worth naming, not something to ignore.
expected<void> refuse_ssh_flags_without_target(const options& opt) {
  const char* const flags[] = {"--identity",    "--identity-passphrase-file",
                               "--known-hosts", "--accept-new-host-key",
                               "--ssh-timeout", "--ssh-keepalive"};
  for (const char* flag : flags) {
    if (on_command_line(opt, flag)) {
      return fail(std::errc::invalid_argument,
                  std::string(flag) + ": only with an SSH target; add --ssh USER@HOST (or drop " +
                      flag + ")");
    }
  }
  return {};
}

}  // namespace

expected<void> resolve_ssh(const options& opt, const config::env_lookup& env, settings& s) {
  auto target = resolve_target(opt, env);
  if (!target) return tl::unexpected(target.error());
  if (!*target) return refuse_ssh_flags_without_target(opt);
  ssh::ssh_options o;
  o.target = std::move(**target);
  // lib/ssh's fixes in this tool's flags.
  o.advice = {.timeout = "raise --ssh-timeout",
              .identity = "give --identity FILE",
              .passphrase = "give --identity-passphrase-file",
              .trust_new_key = "trust it with --accept-new-host-key"};
  if (auto ok = resolve_ssh_files(opt, env, o); !ok) return ok;
  resolve_ssh_times(opt, o);
  s.ssh = std::move(o);
  return {};
}

}  // namespace vmterm::serve::detail
