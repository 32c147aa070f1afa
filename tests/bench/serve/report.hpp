#pragma once
/// The benchmark's table: medians over runs with their range, next to the PTY driven directly
/// and the peers' figures from ../shared/reference/terminal-anchors.md (measured there with the
/// same kind of client on a like 2-core machine, not in this run).

#include <cstdio>
#include <string>
#include <vector>

#include "scenarios.hpp"

namespace vmterm::bench {

struct figures {
  int runs = 0;
  std::string load_before;
  std::vector<workload> workloads;
  std::vector<std::vector<throughput_result>> serve_throughput;  ///< per workload, per run
  std::vector<std::vector<throughput_result>> floor_throughput;
  std::vector<double> serve_echo_ms;  ///< pooled over runs
  std::vector<double> floor_echo_ms;
  std::vector<idle_result> idle;  ///< per run
};

/// Nearest-rank percentile (p in 0..100) of unsorted samples; 0 when empty.
[[nodiscard]] double percentile(std::vector<double> samples, double p);

void print_report(std::FILE* out, const figures& f);

}  // namespace vmterm::bench
