#pragma once
/// The /readyz check for an SSH backend: the target accepts a TCP connection, completes the
/// SSH handshake, and its host key is known (or, with accept_new_host_key, would be trusted
/// on first use; the probe never writes known_hosts). No authentication, no spans, no
/// metrics: a probe every few seconds must not flood either.

#include <boost/asio/any_io_executor.hpp>
#include <functional>

#include "core/error.hpp"
#include "ssh/ssh_options.hpp"

namespace vmterm::ssh {

/// Calls `done` once on `executor`, within options.timeout: ok, or an error with an
/// ssh::errc code (dns, refused, timeout, host_key_*) and the same words a session would give.
void async_check_ready(boost::asio::any_io_executor executor, ssh_options options,
                       std::function<void(expected<void>)> done);

}  // namespace vmterm::ssh
