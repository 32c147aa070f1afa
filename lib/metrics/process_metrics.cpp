#include "metrics/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/read_file.hpp"
#include "metrics/registry.hpp"

namespace vmterm::metrics {
namespace {

std::string read_all(const char* path) {
  std::error_code ec;
  return read_file(path, ec, std::size_t{1} << 20);  // close-on-exec: a scrape may race a fork
}

bool to_u64(std::string_view s, std::uint64_t& out) noexcept {
  const auto res = std::from_chars(s.data(), s.data() + s.size(), out);
  return res.ec == std::errc{} && res.ptr == s.data() + s.size();
}

void add_family(std::vector<family_snapshot>& out, const char* name, const char* help,
                metric_type type, double value) {
  out.push_back(family_snapshot{name, help, type, {sample{name, {}, value}}});
}

/// Open file descriptors: the entries of /proc/self/fd, less the one listing them.
expected<double> open_fds() {
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/self/fd", ec);
  if (ec) return fail(ec, "list '/proc/self/fd': " + ec.message());
  double n = 0;
  for (const auto& entry : it) {
    (void)entry;
    n += 1;
  }
  return n > 0 ? n - 1 : 0;
}

}  // namespace

expected<proc_stat> parse_proc_stat(std::string_view text) {
  const auto bad = [&](const char* why) {
    return fail(std::errc::invalid_argument,
                "parse /proc stat '" + std::string(text.substr(0, 40)) + "': " + why);
  };
  // "pid (comm) state ppid ...": comm may contain ") ", so split after the last ')'.
  const auto close = text.rfind(')');
  if (close == std::string_view::npos) return bad("no command name");
  std::string_view rest = text.substr(close + 1);
  std::vector<std::string_view> fields;  // fields[0] is field 3 (state)
  while (!rest.empty()) {
    const auto start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const auto end = rest.find_first_of(" \n");
    fields.push_back(rest.substr(0, end));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  }
  if (fields.size() < 22) return bad("too few fields");
  proc_stat s;
  const auto field = [&](std::size_t number, std::uint64_t& out) {
    return to_u64(fields[number - 3], out);
  };
  if (!field(14, s.utime_ticks) || !field(15, s.stime_ticks) || !field(22, s.starttime_ticks) ||
      !field(23, s.vsize_bytes) || !field(24, s.rss_pages)) {
    return bad("a field is not a whole number");
  }
  return s;
}

expected<std::uint64_t> parse_boot_time(std::string_view text) {
  const auto pos = text.find("\nbtime ");
  if (pos == std::string_view::npos) return fail(std::errc::invalid_argument, "no 'btime' line");
  std::string_view line = text.substr(pos + 7);
  line = line.substr(0, line.find('\n'));
  std::uint64_t v = 0;
  if (!to_u64(line, v)) {
    return fail(std::errc::invalid_argument, "parse btime '" + std::string(line) + "'");
  }
  return v;
}

std::vector<family_snapshot> collect_process_metrics() {
  std::vector<family_snapshot> out;
  try {
    const auto ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const auto page = static_cast<double>(sysconf(_SC_PAGESIZE));
    if (const auto st = parse_proc_stat(read_all("/proc/self/stat")); st && ticks > 0) {
      add_family(out, "process_cpu_seconds_total",
                 "Total user and system CPU time spent in seconds.", metric_type::counter,
                 static_cast<double>(st->utime_ticks + st->stime_ticks) / ticks);
      add_family(out, "process_resident_memory_bytes", "Resident memory size in bytes.",
                 metric_type::gauge, static_cast<double>(st->rss_pages) * page);
      add_family(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.",
                 metric_type::gauge, static_cast<double>(st->vsize_bytes));
      if (const auto boot = parse_boot_time(read_all("/proc/stat"))) {
        add_family(out, "process_start_time_seconds",
                   "Start time of the process since unix epoch in seconds.", metric_type::gauge,
                   static_cast<double>(*boot) + static_cast<double>(st->starttime_ticks) / ticks);
      }
    }
    if (const auto fds = open_fds()) {
      add_family(out, "process_open_fds", "Number of open file descriptors.", metric_type::gauge,
                 *fds);
    }
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
      add_family(out, "process_max_fds", "Maximum number of open file descriptors.",
                 metric_type::gauge,
                 lim.rlim_cur == RLIM_INFINITY ? HUGE_VAL : static_cast<double>(lim.rlim_cur));
    }
  } catch (...) {
    // Out of memory or a /proc surprise: this scrape has fewer process metrics.
  }
  return out;
}

void add_process_metrics(registry& reg) {
  reg.add_collector([](std::vector<family_snapshot>& out) {
    auto families = collect_process_metrics();
    std::move(families.begin(), families.end(), std::back_inserter(out));
  });
}

}  // namespace vmterm::metrics
