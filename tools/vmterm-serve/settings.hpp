#pragma once
/// vmterm-serve's configuration, checked: the flags (options.hpp, already resolved flag >
/// environment > default) checked together. A bad value is an error whose message names the
/// flag or variable, the value and the fix; main prints it and exits 2.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "http/listen_address.hpp"
#include "http/request_tracing.hpp"
#include "options.hpp"
#include "redis/url.hpp"
#include "ssh/ssh_options.hpp"

namespace vmterm::serve {

/// Where the login token came from, which decides what is printed at start.
enum class token_source {
  generated,    ///< made at start: the login URL with the token is printed once
  file,         ///< --token-file / VMTERM_TOKEN_FILE
  environment,  ///< VMTERM_TOKEN
  none,         ///< --no-auth
};

/// The defaults are the flag declarations' (options.cpp), written nowhere else.
struct settings {
  http::endpoint listen{};
  std::string base_path{};  ///< starts and ends with '/'
  std::optional<std::string> tls_cert{};
  std::optional<std::string> tls_key{};

  std::string token{};  ///< empty only with token_source::none
  token_source token_from{token_source::generated};
  std::vector<std::string> allowed_origins{};
  /// Host names answered besides the listen address's (http::host_allow_list); "*" = any.
  std::vector<std::string> allowed_hosts{};

  std::vector<std::string> command{};  ///< argv; empty: the user's login shell
  /// Set with --ssh (VMTERM_SSH, AWS_HOSTNAME): sessions are SSH shells, and `command` is
  /// unused (the remote command, as given, is in ssh->command). Not set: a local PTY.
  std::optional<ssh::ssh_options> ssh{};
  /// Set with --redis-url (VMTERM_REDIS_URL): /health-check/ and /readyz PING it.
  std::optional<redis::url> redis{};

  std::size_t max_sessions{};
  std::chrono::milliseconds idle_timeout{};  ///< 0 = never
  std::chrono::milliseconds resume_grace{};
  std::size_t max_message{};
  bool readonly{};
  bool compression{};  ///< --compression: permessage-deflate offered

  log::format log_format{};
  log::level log_level{};
  http::request_tracing request_tracing{};  ///< --trace-exclude, --slow-request
};

/// Checks the options together, with the environment for what no flag covers (VMTERM_TOKEN,
/// AWS_HOSTNAME, AWS_USERNAME, SSH_AUTH_SOCK). `generate_token` makes the token when none is
/// given (http::generate_token in the program; a fixed one in tests).
[[nodiscard]] expected<settings> resolve(const options& opt, const config::env_lookup& env,
                                         std::string (*generate_token)());

}  // namespace vmterm::serve
