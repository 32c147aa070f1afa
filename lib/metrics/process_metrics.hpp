#pragma once
/// The standard `process_*` metrics, read from /proc at scrape time:
/// process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
/// process_open_fds, process_max_fds, process_start_time_seconds.
/// Metrics whose source cannot be read are left out of that scrape; nothing here throws.

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "metrics/snapshot.hpp"

namespace vmterm::metrics {

class registry;

/// The fields of /proc/<pid>/stat that the process metrics use, in their raw units.
struct proc_stat {
  std::uint64_t utime_ticks{0};      ///< field 14
  std::uint64_t stime_ticks{0};      ///< field 15
  std::uint64_t starttime_ticks{0};  ///< field 22, clock ticks after boot
  std::uint64_t vsize_bytes{0};      ///< field 23
  std::uint64_t rss_pages{0};        ///< field 24
};

/// Parses the text of /proc/<pid>/stat (the command name may hold spaces and parentheses).
/// Error text: "parse /proc stat 'xyz': too few fields".
[[nodiscard]] expected<proc_stat> parse_proc_stat(std::string_view text);

/// The boot time (`btime`, Unix seconds) from the text of /proc/stat.
[[nodiscard]] expected<std::uint64_t> parse_boot_time(std::string_view text);

/// Reads /proc/self and returns the process families (unsorted). Noexcept in effect: failures
/// leave metrics out.
[[nodiscard]] std::vector<family_snapshot> collect_process_metrics();

/// Adds collect_process_metrics as a collector of `reg`.
void add_process_metrics(registry& reg);

}  // namespace vmterm::metrics
