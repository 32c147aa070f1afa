#include "jaeger/search_render.hpp"

#include <algorithm>
#include <utility>

#include "jaeger/text_cells.hpp"
#include "jaeger/time_format.hpp"

namespace vmterm::jaeger {
namespace {

struct widths {
  std::size_t time = 27;  ///< 2024-01-31T05:28:29.209712Z; 20 without the fraction; 0: none
  std::size_t service = 0;
  std::size_t operation = 0;
  std::size_t duration = 0;
  std::size_t spans = 0;
  std::size_t errors = 0;
};

widths measure(const std::vector<trace_summary>& rows) {
  widths w;
  for (const auto& r : rows) {
    w.service = std::max(w.service, cell_width(r.root_service));
    w.operation = std::max(w.operation, cell_width(r.root_operation));
    w.duration = std::max(w.duration, cell_width(format_duration(r.duration_ns)));
    w.spans = std::max(w.spans, counted(r.span_count, "span", "spans").size());
    w.errors = std::max(w.errors, counted(r.error_count, "error", "errors").size());
  }
  return w;
}

std::size_t line_cells(const widths& w) {
  return (w.time > 0 ? w.time + 2 : 0) + w.service + 2 + w.operation + 2 + w.duration + 2 +
         w.spans + 2 + w.errors + 2 + 32;
}

/// Gives up cells until a line fits in `width`: long names, the fraction of a second, names
/// down to a few cells, the start time.
void fit(widths& w, std::size_t width) {
  const auto natural = w;
  const auto over = [&] { return line_cells(w) > width ? line_cells(w) - width : 0; };
  const auto shrink = [&](std::size_t service_min, std::size_t operation_min) {
    shrink_widest({{&w.service, std::min(w.service, service_min)},
                   {&w.operation, std::min(w.operation, operation_min)}},
                  over());
  };
  shrink(12, 16);
  if (over() > 0) w.time = 20;
  if (over() > 0) shrink(6, 8);
  if (over() > 0) w.time = 0;
  if (over() > 0) shrink(1, 1);
  // Room left (the start time freed more than needed): give the names back.
  for (auto [cells, full] :
       {std::pair{&w.service, natural.service}, {&w.operation, natural.operation}}) {
    const auto room = line_cells(w) < width ? width - line_cells(w) : 0;
    *cells += std::min(room, full - *cells);
  }
}

std::string start_text(std::uint64_t unix_nano, std::size_t cells) {
  auto text = format_rfc3339(unix_nano);
  if (cells == 20 && text.size() == 27) text = text.substr(0, 19) + "Z";
  return text;
}

}  // namespace

trace_summary summarize(const trace_tree& tree) {
  trace_summary s;
  s.id = tree.id;
  s.start_unix_nano = tree.start_unix_nano;
  s.duration_ns = tree.duration_ns();
  if (!tree.roots.empty()) {
    s.root_service = std::string(service_name(tree.root().span));
    s.root_operation = tree.root().span.name;
  }
  s.span_count = tree.nodes.size();
  s.error_count = tree.error_count;
  s.orphan_count = tree.orphan_count;
  return s;
}

void newest_first(std::vector<trace_summary>& summaries, std::size_t limit) {
  std::sort(summaries.begin(), summaries.end(), [](const trace_summary& a, const trace_summary& b) {
    return a.start_unix_nano != b.start_unix_nano ? a.start_unix_nano > b.start_unix_nano
                                                  : a.id < b.id;
  });
  if (limit != 0 && summaries.size() > limit) summaries.resize(limit);
}

std::string render_search(std::vector<trace_summary> rows, bool colour, std::size_t width) {
  newest_first(rows, 0);
  widths w = measure(rows);
  if (width > 0) fit(w, width);
  std::string out;
  for (const auto& r : rows) {
    if (w.time > 0) out += start_text(r.start_unix_nano, w.time) + "  ";
    const auto service = truncate_cells(r.root_service, w.service);
    append_coloured(out, service, service_colour(r.root_service), colour);
    out.append(w.service - cell_width(service) + 2, ' ');
    append_padded(out, truncate_cells(r.root_operation, w.operation), w.operation + 2);
    append_right(out, format_duration(r.duration_ns), w.duration);
    out += "  ";
    append_right(out, counted(r.span_count, "span", "spans"), w.spans);
    out += "  ";
    const auto errors = counted(r.error_count, "error", "errors");
    append_coloured(out, errors, ansi::red, colour && r.error_count > 0);
    out.append(w.errors - errors.size() + 2, ' ');
    out += r.id.hex() + "\n";
  }
  return out;
}

}  // namespace vmterm::jaeger
