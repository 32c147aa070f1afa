#pragma once
/// Schedule files: TOML (the subset of toml_subset.hpp) for people, JSON for generated
/// schedules; both give the same entries, checked strictly. Pure except read_schedule().
///
///   # schedule.toml
///   [health_check]
///   task = "health_check"      # the Celery task name (required)
///   every = "60s"              # or: crontab = "*/5 * * * *"  (exactly one of the two)
///   args = [1, "two"]          # optional, default []
///   kwargs = { verbose = true }  # optional, default {}
///   queue = "celery"           # optional, default celery
///   priority = 5               # optional, 0-9
///   expires = "60s"            # optional, default: the time to the next tick
///
/// JSON: {"health_check": {"task": "health_check", "every": "60s"}} with the same fields.
/// Errors name the file, the line (TOML; JSON names the entry) and the field:
///   schedule.toml:7: crontab "61 * * * *": minute 61 is out of range 0-59

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "schedule/entry.hpp"

namespace vmterm::schedule {

/// The longest entry name: names go into Redis keys.
inline constexpr std::size_t max_name_size = 200;

/// `file` is how messages name the input (the path as given).
[[nodiscard]] expected<std::vector<entry>> parse_schedule(std::string_view text,
                                                          std::string_view file);

/// Reads and parses a file: "read schedule 'x.toml': No such file or directory" when it
/// cannot be read.
[[nodiscard]] expected<std::vector<entry>> read_schedule(const std::filesystem::path& path);

/// A duration field's value: a whole number and a unit (ms, s, m, h, d).
[[nodiscard]] expected<std::chrono::milliseconds> parse_schedule_duration(std::string_view text);

}  // namespace vmterm::schedule
