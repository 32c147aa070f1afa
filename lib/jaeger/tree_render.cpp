#include "jaeger/tree_render.hpp"

#include <algorithm>

#include "jaeger/attribute_text.hpp"
#include "jaeger/text_cells.hpp"
#include "jaeger/time_format.hpp"
#include "jaeger/waterfall.hpp"

namespace vmterm::jaeger {
namespace {

constexpr std::size_t offset_cells = 8;  // "+999.9ms"
constexpr std::size_t time_cells = 6;    // "12.3ms"

/// Column widths shared by every line, and which shown spans are last among shown siblings.
struct layout {
  std::size_t name = 0;
  std::size_t service = 0;
  std::size_t kind = 0;
  std::size_t bar = 0;
  std::vector<bool> last;
  std::vector<bool> has_children;
};

void mark_last(const std::vector<std::uint32_t>& siblings, const visibility& visible, layout& l) {
  for (auto it = siblings.rbegin(); it != siblings.rend(); ++it) {
    if (visible[*it]) {
      l.last[*it] = true;
      return;
    }
  }
}

layout measure(const trace_tree& t, const visibility& visible, const tree_render_options& o) {
  layout l;
  l.last.assign(t.nodes.size(), false);
  l.has_children.assign(t.nodes.size(), false);
  mark_last(t.roots, visible, l);
  for (std::uint32_t i = 0; i < t.nodes.size(); ++i) {
    const auto& node = t.nodes[i];
    if (!visible[i]) continue;
    mark_last(node.children, visible, l);
    if (node.parent != no_node) l.has_children[node.parent] = true;
    const auto name = std::min(cell_width(node.span.name), o.max_name_cells);
    l.name = std::max(l.name, 3 * std::size_t{node.depth} + name);
    l.service = std::max(l.service, cell_width(service_name(node.span)));
    l.kind = std::max(l.kind, trace::to_string(node.span.kind).size());
  }
  if (o.width > 0) {
    const auto text = l.name + 2 + l.service + 2 + l.kind + 2 + offset_cells + 2 + time_cells + 7 +
                      time_cells + 2 + 1;
    l.bar = o.width > text + 2 + o.min_waterfall ? o.width - text - 2 : o.min_waterfall;
  }
  return l;
}

/// Per depth: does the ancestor at that depth have later shown siblings (draw `│`)?
std::string tree_prefix(const std::vector<bool>& continues, std::uint32_t depth, bool last) {
  std::string p;
  for (std::uint32_t d = 1; d < depth; ++d) p += continues[d] ? "│  " : "   ";
  if (depth > 0) p += last ? "└─ " : "├─ ";
  return p;
}

std::string children_prefix(const std::vector<bool>& continues, std::uint32_t depth,
                            bool has_children) {
  std::string p;
  for (std::uint32_t d = 1; d <= depth; ++d) p += continues[d] ? "│  " : "   ";
  return p + (has_children ? "│  " : "   ");
}

void append_notes(std::string& out, const trace_tree& t, const span_node& n, bool colour) {
  const auto note = [&](const std::string& text, std::string_view c) {
    out += "  ";
    append_coloured(out, text, c, colour);
  };
  if (n.is_error())
    note("✗ " + (n.span.status.message.empty() ? "error" : n.span.status.message), ansi::red);
  if (n.orphan) note("orphan (parent " + n.span.parent.hex() + " missing)", ansi::yellow);
  if (n.cycle_broken) note("cycle broken (parent " + n.span.parent.hex() + ")", ansi::yellow);
  if (n.clock_skew) note("clock skew", ansi::yellow);
  if (n.duplicate_id) note("duplicate id " + n.span.span.hex(), ansi::yellow);
  if (!n.span.links.empty()) note(counted(n.span.links.size(), "link", "links"), ansi::dim);
  (void)t;
}

void append_span_line(std::string& out, const trace_tree& t, std::uint32_t i, const layout& l,
                      const std::string& prefix, const tree_render_options& o) {
  const auto& n = t.nodes[i];
  const auto service = service_name(n.span);
  out += prefix;
  append_padded(out, truncate_cells(n.span.name, o.max_name_cells), l.name - 3 * n.depth);
  out += "  ";
  append_coloured(out, service, service_colour(service), o.colour);
  out.append(l.service - cell_width(service), ' ');
  out += "  ";
  append_padded(out, trace::to_string(n.span.kind), l.kind);
  out += "  ";
  append_right(out, "+" + format_duration(n.span.start_unix_nano - t.start_unix_nano),
               offset_cells);
  out += "  ";
  append_right(out, format_duration(n.duration_ns()), time_cells);
  out += "  self ";
  append_right(out, format_duration(n.self_time_ns), time_cells);
  out += ' ';
  append_coloured(out, n.on_critical_path ? "◆" : " ", ansi::bold, o.colour && n.on_critical_path);
  if (l.bar > 0) {
    out += ' ';
    append_bar(out,
               scale_bar(t.start_unix_nano, t.end_unix_nano, n.span.start_unix_nano,
                         n.span.end_unix_nano, l.bar),
               l.bar, service_colour(service), o.colour);
  }
  append_notes(out, t, n, o.colour);
}

void end_line(std::string& out) {
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out += '\n';
}

void append_details(std::string& out, const trace_tree& t, const span_node& n,
                    const std::string& prefix) {
  for (const auto& a : n.span.attrs) {
    out += prefix + a.key + "=" + attribute_text(a.value);
    end_line(out);
  }
  for (const auto& e : n.span.events) {
    const auto at = e.time_unix_nano > t.start_unix_nano ? e.time_unix_nano - t.start_unix_nano : 0;
    out += prefix + "• +" + format_duration(at) + " " + (e.name.empty() ? "log" : e.name);
    if (!e.attrs.empty()) out += " " + attributes_text(e.attrs);
    end_line(out);
  }
  for (const auto& link : n.span.links) {
    const auto* type = trace::find_attribute(link.attrs, "opentracing.ref_type");
    const auto* type_text = type != nullptr ? std::get_if<std::string>(type) : nullptr;
    out += prefix + "↪ " + (type_text != nullptr ? *type_text : std::string("link")) + " " +
           link.context.trace.hex() + "/" + link.context.span.hex();
    end_line(out);
  }
}

void append_header(std::string& out, const trace_tree& t, const visibility& visible) {
  out += "trace " + t.id.hex() + "  " + format_rfc3339(t.start_unix_nano) + "  " +
         format_duration(t.duration_ns()) + "  " + counted(t.nodes.size(), "span", "spans") + ", " +
         counted(t.error_count, "error", "errors");
  if (t.orphan_count > 0) out += ", " + counted(t.orphan_count, "orphan", "orphans");
  if (t.duplicate_count > 0) {
    out += ", " + counted(t.duplicate_count, "duplicate id", "duplicate ids");
  }
  if (t.cycle_count > 0) out += ", " + counted(t.cycle_count, "cycle broken", "cycles broken");
  if (t.skew_count > 0) out += ", " + counted(t.skew_count, "skewed span", "skewed spans");
  const auto shown = visible_count(visible);
  if (shown < t.nodes.size()) {
    out += "  (showing " + std::to_string(shown) + " of " + std::to_string(t.nodes.size()) + ")";
  }
  end_line(out);
}

}  // namespace

std::string render_tree(const trace_tree& tree, const visibility& visible,
                        const tree_render_options& options) {
  std::string out;
  if (tree.nodes.empty()) return out;
  append_header(out, tree, visible);
  const layout l = measure(tree, visible, options);
  // Bar cells are 3 bytes of UTF-8; the text columns about l.name + 60.
  out.reserve(out.size() + visible_count(visible) * (3 * l.bar + l.name + 96));
  std::vector<bool> continues;
  for (auto i : tree.order) {
    if (!visible[i]) continue;
    const auto& n = tree.nodes[i];
    if (continues.size() <= n.depth) continues.resize(n.depth + 1);
    continues[n.depth] = !l.last[i];
    append_span_line(out, tree, i, l, tree_prefix(continues, n.depth, l.last[i]), options);
    end_line(out);
    if (options.verbose) {
      append_details(out, tree, n, children_prefix(continues, n.depth, l.has_children[i]));
    }
  }
  return out;
}

std::string render_tree(const trace_tree& tree, const tree_render_options& options) {
  return render_tree(tree, visibility(tree.nodes.size(), true), options);
}

void write_tree(std::ostream& out, const trace_tree& tree, const visibility& visible,
                const tree_render_options& options) {
  out << render_tree(tree, visible, options);
}

}  // namespace vmterm::jaeger
