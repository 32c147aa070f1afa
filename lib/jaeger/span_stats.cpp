#include "jaeger/span_stats.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <utility>

#include <nlohmann/json.hpp>

#include "jaeger/text_cells.hpp"
#include "jaeger/time_format.hpp"

namespace vmterm::jaeger {
namespace {

struct accumulator {
  std::vector<std::uint64_t> durations;
  std::size_t errors = 0;
  std::uint64_t self_time = 0;
};

using key = std::pair<std::string, std::string>;

operation_stats finish(const key& k, accumulator& a) {
  std::sort(a.durations.begin(), a.durations.end());
  operation_stats s;
  s.service = k.first;
  s.operation = k.second;
  s.count = a.durations.size();
  s.error_count = a.errors;
  s.p50_ns = percentile(a.durations, 50);
  s.p95_ns = percentile(a.durations, 95);
  s.p99_ns = percentile(a.durations, 99);
  s.max_ns = a.durations.empty() ? 0 : a.durations.back();
  s.self_time_ns = a.self_time;
  return s;
}

std::vector<std::string> row(const operation_stats& s) {
  return {
      terminal_text(s.service),      terminal_text(s.operation), std::to_string(s.count),
      std::to_string(s.error_count), format_duration(s.p50_ns),  format_duration(s.p95_ns),
      format_duration(s.p99_ns),     format_duration(s.max_ns),  format_duration(s.self_time_ns)};
}

}  // namespace

std::uint64_t percentile(const std::vector<std::uint64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double rank = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
  const auto index = static_cast<std::size_t>(std::max(rank, 1.0)) - 1;
  return sorted[std::min(index, sorted.size() - 1)];
}

std::vector<operation_stats> compute_stats(const std::vector<trace_tree>& trees) {
  std::map<key, accumulator> groups;
  for (const auto& t : trees) {
    for (const auto& n : t.nodes) {
      auto& a = groups[key(service_name(n.span), n.span.name)];
      a.durations.push_back(n.duration_ns());
      a.errors += n.is_error() ? 1U : 0U;
      a.self_time += n.self_time_ns;
    }
  }
  std::vector<operation_stats> out;
  out.reserve(groups.size());
  for (auto& [k, a] : groups) out.push_back(finish(k, a));
  return out;
}

std::string render_stats_table(const std::vector<operation_stats>& stats, bool colour,
                               std::size_t width) {
  const std::vector<std::string> header = {"SERVICE", "OPERATION", "COUNT", "ERRORS", "P50",
                                           "P95",     "P99",       "MAX",   "SELF"};
  std::vector<std::vector<std::string>> rows = {header};
  for (const auto& s : stats) rows.push_back(row(s));
  std::vector<std::size_t> cells(header.size(), 0);
  for (const auto& r : rows) {
    for (std::size_t c = 0; c < r.size(); ++c) cells[c] = std::max(cells[c], cell_width(r[c]));
  }
  if (width > 0) {
    std::size_t total = 2 * (cells.size() - 1);
    for (auto c : cells) total += c;
    if (total > width) {
      const auto over = total - width;
      const auto left = shrink_widest({{&cells[0], std::min<std::size_t>(cells[0], 10)},
                                       {&cells[1], std::min<std::size_t>(cells[1], 12)}},
                                      over);
      shrink_widest({{&cells[0], std::min<std::size_t>(cells[0], 4)},
                     {&cells[1], std::min<std::size_t>(cells[1], 4)}},
                    left);
    }
    for (auto& r : rows) {
      r[0] = truncate_cells(r[0], cells[0]);
      r[1] = truncate_cells(r[1], cells[1]);
    }
  }
  std::string out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    for (std::size_t c = 0; c < r.size(); ++c) {
      if (c > 0) out += "  ";
      const bool left = c < 2;
      const bool last = c + 1 == r.size();
      if (c == 0 && i > 0 && colour) {  // service column: coloured text, then the padding
        append_coloured(out, r[c], service_colour(stats[i - 1].service), true);
        out.append(cells[c] - cell_width(r[c]), ' ');
      } else if (left) {
        append_padded(out, r[c], last ? 0 : cells[c]);
      } else {
        append_right(out, r[c], cells[c]);
      }
    }
    out += '\n';
  }
  return out;
}

std::string render_stats_json(const std::vector<operation_stats>& stats) {
  auto out = nlohmann::ordered_json::array();
  for (const auto& s : stats) {
    out.push_back({{"service", s.service},
                   {"operation", s.operation},
                   {"count", s.count},
                   {"error_count", s.error_count},
                   {"p50_ns", s.p50_ns},
                   {"p95_ns", s.p95_ns},
                   {"p99_ns", s.p99_ns},
                   {"max_ns", s.max_ns},
                   {"self_time_ns", s.self_time_ns}});
  }
  return out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace vmterm::jaeger
