#include "report.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>

namespace vmterm::bench {
namespace {

std::string format(const char* fmt, double a, double b = 0, double c = 0) {
  char text[160];
  std::snprintf(text, sizeof text, fmt, a, b, c);
  return text;
}

/// "412 [380–450]": the median and range of one figure over the runs.
template <class T>
std::string median_range(const std::vector<T>& runs, const std::function<double(const T&)>& get,
                         const char* fmt = "%.0f") {
  if (runs.empty()) return "-";
  std::vector<double> v;
  for (const auto& r : runs) v.push_back(get(r));
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  const std::string median = format(fmt, percentile(v, 50));
  if (runs.size() == 1) return median;
  return median + " [" + format(fmt, *lo) + "-" + format(fmt, *hi) + "]";
}

void row(std::FILE* out, const std::string& what, const std::string& serve,
         const std::string& floor, const std::string& ttyd, const std::string& wetty) {
  std::fprintf(out, "%-40s %-22s %-22s %-32s %s\n", what.c_str(), serve.c_str(), floor.c_str(),
               ttyd.c_str(), wetty.c_str());
}

std::string echo(const std::vector<double>& ms) {
  if (ms.empty()) return "-";
  return format("%.2f / %.2f", percentile(ms, 50), percentile(ms, 99));
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

}  // namespace

double percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const auto rank =
      static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(samples.size())));
  return samples[std::clamp<std::size_t>(rank, 1, samples.size()) - 1];
}

void print_report(std::FILE* out, const figures& f) {
  std::fprintf(
      out,
      "vmterm-serve benchmark: medians of %d runs [range]; load average %s before, %s after\n\n",
      f.runs, f.load_before.c_str(), load_average().c_str());
  row(out, "", "vmterm-serve", "PTY directly (floor)", "ttyd 1.7.7 (ref)", "wetty 3.2.0 (ref)");
  const std::function<double(const throughput_result&)> mbs = &throughput_result::mb_per_s;
  const std::function<double(const throughput_result&)> msgs = [](const throughput_result& r) {
    return static_cast<double>(r.messages);
  };
  const std::function<double(const throughput_result&)> cpu = [](const throughput_result& r) {
    return r.server_cpu_seconds;
  };
  const std::function<double(const throughput_result&)> size = [](const throughput_result& r) {
    return r.mean_message() / 1024;
  };
  for (std::size_t w = 0; w < f.workloads.size(); ++w) {
    const bool seq = f.workloads[w].name.starts_with("seq");
    row(out, f.workloads[w].name + ", MB/s", median_range(f.serve_throughput[w], mbs, "%.1f"),
        median_range(f.floor_throughput[w], mbs, "%.1f"), seq ? "11.9 (seq 1 5000000)" : "24.3",
        seq ? "15.5 (seq 1 5000000)" : "16.8");
    row(out, "  messages (reads for the floor)", median_range(f.serve_throughput[w], msgs),
        median_range(f.floor_throughput[w], msgs), seq ? "13,117" : "25,527",
        seq ? "989" : "1,988");
    row(out, "  server CPU, s (user + system)", median_range(f.serve_throughput[w], cpu, "%.2f"),
        "-", seq ? "0.81 (for 38.9 MB)" : "", seq ? "0.95 (for 38.9 MB)" : "");
    row(out, "  mean message, KiB", median_range(f.serve_throughput[w], size, "%.1f"),
        median_range(f.floor_throughput[w], size, "%.1f"), seq ? "~3" : "~3.9",
        seq ? "~39" : "~50");
  }
  if (!f.serve_echo_ms.empty() || !f.floor_echo_ms.empty()) {
    row(out,
        "keystroke echo p50 / p99, ms (n=" + std::to_string(f.serve_echo_ms.size()) + ", " +
            std::to_string(f.floor_echo_ms.size()) + ")",
        echo(f.serve_echo_ms), echo(f.floor_echo_ms), "0.54 / 1.5 (0.92 / 4.6 deflate)",
        "3.74 / 8.0");
  }
  if (!f.idle.empty()) {
    const auto& first = f.idle.front();
    const std::function<double(const idle_result&)> per = &idle_result::kib_per_session;
    const std::function<double(const idle_result&)> rss0 = [](const idle_result& r) {
      return static_cast<double>(r.rss0_kib);
    };
    const std::function<double(const idle_result&)> rss_target = [](const idle_result& r) {
      return static_cast<double>(r.rss_target_kib);
    };
    const std::function<double(const idle_result&)> rss_most = [](const idle_result& r) {
      return static_cast<double>(r.rss_most_kib);
    };
    const std::function<double(const idle_result&)> shells = [](const idle_result& r) {
      return static_cast<double>(r.shells_at_target);
    };
    const std::function<double(const idle_result&)> opened = [](const idle_result& r) {
      return static_cast<double>(r.opened);
    };
    const std::function<double(const idle_result&)> errors = [](const idle_result& r) {
      return static_cast<double>(r.errors.size());
    };
    const auto n = std::to_string(first.target);
    row(out, "server RSS per idle session 0->" + n + ", KiB", median_range(f.idle, per, "%.1f"),
        "-", "15.2 (114.4 deflate)", "36.7 (0->300)");
    row(out, "  server RSS at 0 sessions, KiB", median_range(f.idle, rss0), "-", "5,016", "81,124");
    row(out, "  server RSS at " + n + " sessions, KiB", median_range(f.idle, rss_target), "-",
        "9,548", "93,228");
    row(out, "  shells (server's children) at " + n, median_range(f.idle, shells), "-", "300",
        "300");
    if (first.most > first.target) {
      row(out, "  server RSS at " + std::to_string(first.most) + " sessions, KiB",
          median_range(f.idle, rss_most), "-", "", "");
    }
    row(out, "  sessions open of " + std::to_string(first.most) + ", errors",
        median_range(f.idle, opened) + ", " + median_range(f.idle, errors), "-", "", "");
    for (const auto& r : f.idle) {
      for (std::size_t i = 0; i < r.errors.size() && i < 3; ++i) {
        std::fprintf(out, "    error: %s\n", r.errors[i].c_str());
      }
    }
  }
  std::fprintf(
      out,
      "\ntargets: >= 80 MB/s; echo p50 <= 0.5 ms and p99 <= 1.5 ms; <= 16 KiB per idle "
      "session; 300 sessions with no error\n(ref): ../shared/reference/terminal-anchors.md "
      "sections 3.2 and 5, measured with the same kind of client on a like 2-core "
      "machine, not in this run\n");
}

}  // namespace vmterm::bench
