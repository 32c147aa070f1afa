#include "asio/busy_poll_flag.hpp"

#include "core/parse.hpp"

namespace vmterm::asio {

config::flag<std::chrono::microseconds> busy_poll_flag(std::string help,
                                                       std::chrono::microseconds fallback,
                                                       std::string default_note) {
  return {.name = "--busy-poll",
          .env = {"VMTERM_BUSY_POLL"},
          .value_name = "DURATION",
          .help = std::move(help),
          .fallback = fallback,
          .check = [](const std::chrono::microseconds& d) -> std::optional<std::string> {
            if (d > max_busy_poll) return "at most 10ms; give e.g. 250us, or 0 to block at once";
            return std::nullopt;
          },
          .parse = [](std::string_view text) -> expected<std::chrono::microseconds> {
            if (auto d = parse::duration(parse::trim(text), std::chrono::seconds(1)); d) {
              return std::chrono::duration_cast<std::chrono::microseconds>(*d);
            }
            return fail(std::errc::invalid_argument,
                        "'" + std::string(text) + "' is not a duration; give e.g. 250us, 1ms or 0");
          },
          .default_note = std::move(default_note),
          .quote_text = true};
}

}  // namespace vmterm::asio
