#pragma once
/// A task that is a command line: run with /bin/sh -c in its own process group, arguments as
/// JSON on stdin and in VMTERM_TASK_ARGS, TRACEPARENT in its environment, every descriptor
/// above 2 closed. The exit is watched with a pidfd on the worker's executor (as
/// term::pty_terminal does), so no thread waits for it and no SIGCHLD handler is needed.
///
/// Contract: stdout is the result (JSON when it parses, otherwise the text without its last
/// newline); exit 0 is SUCCESS, anything else FAILURE with stderr's tail as the traceback. The
/// soft time limit sends SIGTERM to the group, the hard one SIGKILL.

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>

#include "task.hpp"

namespace vmterm::worker {

/// The most of stdout kept as the result; more fails the task (a result is stored in Redis).
inline constexpr std::size_t shell_result_limit = std::size_t{16} << 20;
/// The most of stderr kept for the traceback (its tail).
inline constexpr std::size_t shell_traceback_limit = 4096;

/// Starts `command` for `call`; `done` runs once, on `executor`. A failure to start (fork,
/// pipes) is reported through `done` as well. Returns the handle (null when it could not
/// start; `done` has then been posted).
[[nodiscard]] std::shared_ptr<running_task> start_shell_task(boost::asio::any_io_executor executor,
                                                             const std::string& command,
                                                             const task_call& call,
                                                             outcome_fn done);

/// How a shell task's stdout reads as a result: JSON when it parses, otherwise the text with
/// one trailing newline removed; null when it is empty or blank. Pure.
[[nodiscard]] json shell_result(const std::string& out);

}  // namespace vmterm::worker
