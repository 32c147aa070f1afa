#pragma once
/// The measurements, each one run against a fresh vmterm-serve (serve_process) or the PTY
/// floor (pty_floor). They throw std::runtime_error when the run went wrong (a session that
/// never opened, output that never came), so that the smoke test fails.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "serve_process.hpp"

namespace vmterm::bench {

/// What the shell runs for a throughput run, and a marker only its output contains.
struct workload {
  std::string name;
  std::string command;  ///< e.g. "head -c 100000000 /dev/zero | tr '\\0' a"
};

struct throughput_result {
  std::uint64_t bytes = 0;     ///< output bytes from Enter to the end marker
  std::uint64_t messages = 0;  ///< WebSocket frames (PTY reads for the floor)
  double seconds = 0;
  double server_cpu_seconds = 0;  ///< vmterm-serve's user + system time over the run (0: floor)
  [[nodiscard]] double mb_per_s() const {
    return seconds > 0 ? static_cast<double>(bytes) / seconds / 1e6 : 0;
  }
  [[nodiscard]] double mean_message() const {
    return messages ? static_cast<double>(bytes) / static_cast<double>(messages) : 0;
  }
};

struct idle_result {
  std::uint64_t rss0_kib = 0;        ///< server RSS with no session
  std::uint64_t rss_target_kib = 0;  ///< ... with `target` idle sessions open
  std::size_t target = 0;
  std::size_t shells_at_target = 0;  ///< server's child processes then
  std::size_t opened = 0;            ///< sessions open at the end (up to `most`)
  std::size_t most = 0;
  std::uint64_t rss_most_kib = 0;
  std::vector<std::string> errors;   ///< sessions that failed to open or dropped while idle
  std::size_t errors_at_target = 0;  ///< how many of them before `target` was reached
  [[nodiscard]] double kib_per_session() const {
    return target ? (static_cast<double>(rss_target_kib) - static_cast<double>(rss0_kib)) /
                        static_cast<double>(target)
                  : 0;
  }
};

/// Types the workload at a shell prompt and times it from Enter to the end marker.
throughput_result throughput_serve(const serve_config& config, const workload& work);
throughput_result throughput_floor(const std::vector<std::string>& shell, const workload& work);

/// Keystroke → echo: per sample, sleep 10 ms, send 'x', stop the clock at the first output
/// holding 'x', then erase it (DEL, untimed) so each sample starts from an empty line.
/// Returns the samples in milliseconds.
std::vector<double> echo_serve(const serve_config& config, int keystrokes);
std::vector<double> echo_floor(const std::vector<std::string>& shell, int keystrokes);

/// Session start: per session, WebSocket open to the shell's first output (for --ssh: TCP,
/// handshake, auth, channel and the remote prompt), in milliseconds; each session then exits.
std::vector<double> open_times(const serve_process& server, int sessions);

/// Server RSS at 0 sessions and at `target` open idle sessions (each with its shell started,
/// 10 handshakes in flight, 5 s idle before reading), then more sessions up to `most`.
idle_result idle_serve(const serve_config& config, std::size_t target, std::size_t most);

}  // namespace vmterm::bench
