#include "jaeger/search_render.hpp"

#include <algorithm>

#include "jaeger/text_cells.hpp"
#include "jaeger/time_format.hpp"

namespace vmterm::jaeger {
namespace {

struct widths {
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

std::string render_search(std::vector<trace_summary> rows, bool colour) {
  newest_first(rows, 0);
  const widths w = measure(rows);
  std::string out;
  for (const auto& r : rows) {
    out += format_rfc3339(r.start_unix_nano) + "  ";
    append_coloured(out, r.root_service, service_colour(r.root_service), colour);
    out.append(w.service - cell_width(r.root_service) + 2, ' ');
    append_padded(out, r.root_operation, w.operation + 2);
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
