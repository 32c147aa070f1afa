#pragma once
/// vmterm-serve running: the server, the session hub and the backend, from checked settings,
/// until SIGINT/SIGTERM; then a graceful stop (no new connections, WebSockets closed with 1001,
/// shells hung up) and the exit code.

#include <ostream>
#include <string>

#include "http/listen_address.hpp"
#include "settings.hpp"

namespace vmterm::serve {

/// The URL to open: with the token when it was generated (the one line printed at start),
/// without it otherwise. A wildcard listen address shows as loopback.
[[nodiscard]] std::string login_url(const settings& s, const http::endpoint& bound);

/// Runs until a termination signal. Returns 0 after a graceful stop, 1 when the server could
/// not start (the reason on `err`, e.g. the port in use), 2 when a TLS file is unusable.
[[nodiscard]] int run(const settings& s, std::ostream& err);

}  // namespace vmterm::serve
