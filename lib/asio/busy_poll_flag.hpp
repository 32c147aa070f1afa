#pragma once
/// --busy-poll, as every tool that runs a loop under asio::run_spinning declares it: a
/// duration of at most 10ms (past that, waking a halted vCPU costs less than the polling),
/// env VMTERM_BUSY_POLL, "'soon' is not a duration; give e.g. 250us, 1ms or 0".

#include <chrono>
#include <string>

#include "core/flags.hpp"

namespace vmterm::asio {

/// The longest --busy-poll a tool accepts.
inline constexpr std::chrono::microseconds max_busy_poll{10'000};

[[nodiscard]] config::flag<std::chrono::microseconds> busy_poll_flag(
    std::string help, std::chrono::microseconds fallback, std::string default_note);

}  // namespace vmterm::asio
