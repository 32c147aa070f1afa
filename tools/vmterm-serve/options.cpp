#include "options.hpp"

namespace vmterm::serve {
namespace {

void add_listen_flags(CLI::App& app, options& opt) {
  app.add_option("--listen", opt.listen,
                 "address to listen on, HOST:PORT (IPv6 in brackets; port 0: any free port); "
                 "env VMTERM_LISTEN (default " +
                     std::string(default_listen) + ")")
      ->type_name("HOST:PORT");
  app.add_option("--base-path", opt.base_path,
                 "serve everything below this path, e.g. /vmterm behind a reverse proxy; "
                 "env VMTERM_BASE_PATH (default /)")
      ->type_name("PATH");
  auto* cert =
      app.add_option("--tls-cert", opt.tls_cert,
                     "serve HTTPS and WSS with this PEM certificate chain (needs --tls-key)")
          ->type_name("PEM");
  auto* key = app.add_option("--tls-key", opt.tls_key,
                             "the PEM private key for --tls-cert (needs --tls-cert)")
                  ->type_name("PEM");
  cert->needs(key);
  key->needs(cert);
}

void add_auth_flags(CLI::App& app, options& opt) {
  auto* file = app.add_option("--token-file", opt.token_file,
                              "read the login token from this file instead of generating one; "
                              "env VMTERM_TOKEN_FILE, or the token itself in VMTERM_TOKEN")
                   ->type_name("FILE");
  auto* none = app.add_flag("--no-auth", opt.no_auth,
                            "no token at all (only with a loopback --listen address; warns)");
  none->excludes(file);
  app.add_option("--allow-origin", opt.allow_origins,
                 "also accept WebSocket upgrades from this origin, e.g. https://example.com "
                 "(repeatable; * accepts any)")
      ->type_name("ORIGIN");
  app.add_option("--allow-host", opt.allow_hosts,
                 "also answer requests whose Host header is this name, e.g. the name a reverse "
                 "proxy or a browser uses (repeatable; * accepts any); env VMTERM_ALLOW_HOST, "
                 "comma-separated (default: the listen address, and localhost, 127.0.0.1 and "
                 "::1 for a loopback one)")
      ->type_name("NAME");
}

void add_session_flags(CLI::App& app, options& opt) {
  app.add_option("--command", opt.command,
                 "the program for each session, split into words at blanks ('...' and \"...\" "
                 "quote; no shell); with --ssh, the remote command, run by the remote user's "
                 "shell; env VMTERM_COMMAND (default: your login shell)")
      ->type_name("COMMAND");
  app.add_option("--max-sessions", opt.max_sessions,
                 "at most this many sessions at once; more are refused (default 16)")
      ->type_name("N");
  app.add_option("--idle-timeout", opt.idle_timeout,
                 "end a session after this long without input, e.g. 30m (default 0: never)")
      ->type_name("DURATION");
  app.add_option("--resume-grace", opt.resume_grace,
                 "keep a session whose connection dropped this long for the page to resume "
                 "(default 60s; 0: end it at once)")
      ->type_name("DURATION");
  app.add_option("--max-message", opt.max_message,
                 "largest message a client may send, e.g. 64KiB; larger closes with 1009 "
                 "(default 1MiB)")
      ->type_name("SIZE");
  app.add_flag("--readonly", opt.readonly,
               "show the terminal but drop every keystroke (resizing still works)");
}

void add_ssh_flags(CLI::App& app, options& opt) {
  app.add_option("--ssh", opt.ssh,
                 "each session is a shell on this SSH server instead of a local one; env "
                 "VMTERM_SSH, or AWS_HOSTNAME with AWS_USERNAME as the user")
      ->type_name("USER@HOST[:PORT]");
  app.add_option("-i,--identity", opt.identity,
                 "log in with this private key, e.g. the EC2 key pair's aws.pem (mode 600); "
                 "env VMTERM_IDENTITY (default: the keys in ssh-agent, SSH_AUTH_SOCK)")
      ->type_name("FILE");
  app.add_option("--identity-passphrase-file", opt.passphrase_file,
                 "the --identity key's passphrase is the first line of this file (mode 600)")
      ->type_name("FILE");
  app.add_option("--known-hosts", opt.known_hosts,
                 "check the server's host key against this OpenSSH known_hosts file; env "
                 "VMTERM_KNOWN_HOSTS (default ~/.ssh/known_hosts)")
      ->type_name("FILE");
  app.add_flag("--accept-new-host-key", opt.accept_new_host_key,
               "trust an unknown host key on first use and append it to the known_hosts file "
               "(a changed key is always refused)");
  app.add_option("--ssh-timeout", opt.ssh_timeout,
                 "give up connecting (TCP, handshake, login, shell) after this long (default "
                 "15s)")
      ->type_name("DURATION");
  app.add_option("--ssh-keepalive", opt.ssh_keepalive,
                 "send a keepalive this often; 3 unanswered end the session (default 30s; 0: "
                 "none)")
      ->type_name("DURATION");
}

void add_redis_flags(CLI::App& app, options& opt) {
  app.add_option("--redis-url", opt.redis_url,
                 "also check this Redis: /health-check/ and /readyz PING it and answer 503 while "
                 "it is down; env VMTERM_REDIS_URL (default: no Redis check)")
      ->type_name("redis://[USER:PASSWORD@]HOST:PORT/DB");
}

void add_log_flags(CLI::App& app, options& opt) {
  app.add_option("--log-format", opt.log_format,
                 "json (one object per line) or text; env VMTERM_LOG_FORMAT (default json)")
      ->type_name("json|text");
  app.add_option("--log-level", opt.log_level,
                 "debug, info, warn or error; env VMTERM_LOG_LEVEL (default info)")
      ->type_name("LEVEL");
}

}  // namespace

void add_flags(CLI::App& app, options& opt) {
  add_listen_flags(app, opt);
  add_auth_flags(app, opt);
  add_session_flags(app, opt);
  add_ssh_flags(app, opt);
  add_redis_flags(app, opt);
  add_log_flags(app, opt);
  app.add_option("--compression", opt.compression,
                 "permessage-deflate for clients that offer it: on or off (default on)")
      ->type_name("on|off");
}

}  // namespace vmterm::serve
