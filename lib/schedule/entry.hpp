#pragma once
/// One periodic task of a schedule file and when it runs. Pure data.

#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "schedule/crontab.hpp"

namespace vmterm::schedule {

using json = nlohmann::ordered_json;
using sys_ms = std::chrono::sys_time<std::chrono::milliseconds>;

/// `every = "60s"`: due at every whole multiple of the period since the Unix epoch (00:00:00
/// UTC, 1 January 1970), so every beat computes the same due times without talking to the
/// others (the per-tick key of the exactly-once send depends on it). Not affected by the time
/// zone. Celery's interval counts from the last run instead; here a 60 s entry is due at each
/// whole minute.
struct interval {
  std::chrono::milliseconds every{};
  friend bool operator==(const interval&, const interval&) = default;
};

/// A beat holds every entry for its whole run (10,000 and more: tests/bench/beat), so an entry
/// is kept small: no allocation for absent args and kwargs, and a crontab (72 bytes of bitsets
/// and text) behind a pointer, so an interval entry does not pay for it.
struct entry {
  std::string name;  ///< the entry's name: the [header] or JSON key
  std::string task;  ///< the Celery task name
  json args;         ///< null when the file gives none: args_json() is [] then
  json kwargs;       ///< null when the file gives none: kwargs_json() is {} then
  std::string queue = "celery";
  std::optional<int> priority;  ///< 0-9 (kombu's Redis priority steps)
  int line = 0;                 ///< where the entry starts in its file (1-based; 0 for JSON)
  std::optional<std::chrono::milliseconds> expires;  ///< unset: the time to the next tick
  std::variant<interval, std::shared_ptr<const crontab>> when;

  /// The positional arguments of each message: `args`, or [] when none were given.
  [[nodiscard]] json args_json() const { return args.is_null() ? json::array() : args; }
  /// The keyword arguments of each message: `kwargs`, or {} when none were given.
  [[nodiscard]] json kwargs_json() const { return kwargs.is_null() ? json::object() : kwargs; }
  /// The crontab of a crontab entry; nullptr for an interval.
  [[nodiscard]] const crontab* cron() const noexcept {
    const auto* c = std::get_if<std::shared_ptr<const crontab>>(&when);
    return c != nullptr ? c->get() : nullptr;
  }

  /// The text of `when` for people: "every 60s" or "crontab 0 * * * *".
  [[nodiscard]] std::string when_text() const;
};

/// The first due time strictly after `t`; sys_ms::max() when none.
[[nodiscard]] sys_ms next_due(const entry& e, sys_ms t, const time_zone& tz) noexcept;

/// A duration as schedule files write it: a whole number and a unit, ms, s, m, h or d.
[[nodiscard]] std::string duration_text(std::chrono::milliseconds d);

}  // namespace vmterm::schedule
