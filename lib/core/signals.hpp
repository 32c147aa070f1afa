#pragma once
/// Process-wide signal dispositions that libraries need and must not leave to their embedder.

namespace vmterm::core {

/// Ignore SIGPIPE unless someone installed a handler for it. Writing to a pipe or a socket
/// whose reader has gone raises SIGPIPE, whose default action ends the whole process; the
/// write itself then fails with EPIPE, which the caller handles. Asio's sockets pass
/// MSG_NOSIGNAL, but pipes (a shell task's stdin) and hiredis 0.14 (plain write(2) on its
/// socket) cannot, so the modules that use them call this before their first write. Cheap
/// (one sigaction), safe to call from any thread, any number of times.
void ignore_sigpipe() noexcept;

}  // namespace vmterm::core
