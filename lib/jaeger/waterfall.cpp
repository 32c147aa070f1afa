#include "jaeger/waterfall.hpp"

#include <algorithm>
#include <cmath>

#include "jaeger/text_cells.hpp"

namespace vmterm::jaeger {

bar_cells scale_bar(std::uint64_t trace_start, std::uint64_t trace_end, std::uint64_t start,
                    std::uint64_t end, std::size_t width) noexcept {
  if (width == 0) return {};
  if (trace_end <= trace_start) return {0, width};
  const double total = static_cast<double>(trace_end - trace_start);
  const auto cell = [&](std::uint64_t t, bool up) {
    const auto offset = std::clamp(t, trace_start, trace_end) - trace_start;
    const double x = static_cast<double>(offset) / total * static_cast<double>(width);
    return static_cast<std::size_t>(up ? std::ceil(x) : std::floor(x));
  };
  std::size_t first = std::min(cell(start, false), width - 1);
  std::size_t last = std::min(cell(std::max(start, end), true), width);
  if (last <= first) last = first + 1;
  return {first, last - first};
}

void append_bar(std::string& out, bar_cells bar, std::size_t width, std::string_view colour,
                bool enabled) {
  out += "│";
  out.append(bar.first, ' ');
  if (enabled) out += colour;
  for (std::size_t i = 0; i < bar.count; ++i) out += "█";
  if (enabled) out += ansi::reset;
  out.append(width - bar.first - bar.count, ' ');
  out += "│";
}

}  // namespace vmterm::jaeger
