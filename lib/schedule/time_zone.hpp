#pragma once
/// An IANA time zone read from the system's TZif files (RFC 8536, versions 1 to 4), because
/// GCC 12's libstdc++ has no std::chrono::tzdb. The transitions of the file are kept, and the
/// footer's POSIX TZ rule ("CET-1CEST,M3.5.0,M10.5.0/3") is expanded up to the year 2200 for
/// times past the last one. Immutable after load: safe to share between threads.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace vmterm::schedule {

using sys_seconds = std::chrono::sys_seconds;
using local_seconds = std::chrono::local_seconds;

/// Where local wall-clock times fall on the real time line.
struct local_lookup {
  enum class kind {
    unique,    ///< the wall time occurs once: `first`
    gap,       ///< skipped by a spring-forward: `first` is the instant the gap ends
    repeated,  ///< occurs twice in a fall-back: `first` and `second`
  };
  kind what = kind::unique;
  sys_seconds first{};
  sys_seconds second{};
};

class time_zone {
 public:
  /// UTC, needing no file.
  [[nodiscard]] static time_zone utc();
  /// `name` ("Europe/Berlin", "UTC") from `dir`. Errors name the zone and the fix:
  /// "time zone 'Mars/Base': no such zone in /usr/share/zoneinfo; use an IANA name such as
  /// Europe/Berlin or UTC (install the tzdata package)".
  [[nodiscard]] static expected<time_zone> load(
      std::string_view name, const std::filesystem::path& dir = "/usr/share/zoneinfo");
  /// The zone from a TZif file's bytes (for tests and load()).
  [[nodiscard]] static expected<time_zone> from_tzif(std::string name, std::string_view bytes);
  /// The zone from a POSIX TZ string alone ("EST5EDT,M3.2.0,M11.1.0").
  [[nodiscard]] static expected<time_zone> from_posix(std::string name, std::string_view rule);

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  /// UTC offset (local − UTC) in force at `t`.
  [[nodiscard]] std::chrono::seconds offset_at(sys_seconds t) const noexcept;
  [[nodiscard]] local_seconds to_local(sys_seconds t) const noexcept;
  [[nodiscard]] local_lookup from_local(local_seconds t) const noexcept;
  /// The first offset change strictly after `t`, or sys_seconds::max() when none is known.
  [[nodiscard]] sys_seconds next_transition(sys_seconds t) const noexcept;

 private:
  struct transition {
    std::int64_t at;      ///< seconds since the epoch, UTC
    std::int32_t offset;  ///< local − UTC from `at` on
  };
  std::string name_;
  std::int32_t initial_offset_ = 0;  ///< before the first transition
  std::vector<transition> transitions_;

  friend expected<void> extend_with_rule(time_zone& z, std::string_view rule);
};

}  // namespace vmterm::schedule
