#include "jaeger/tree_render.hpp"

#include <algorithm>
#include <utility>

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
  std::size_t width = 0;  ///< the whole line; 0: no limit
  std::size_t name = 0;   ///< tree prefix and operation
  std::size_t service = 0;
  std::size_t kind = 0;
  bool show_kind = true;
  bool show_self = true;
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

/// The notes after a span's columns, each with its colour.
struct note {
  std::string text;
  std::string_view colour;
};

std::vector<note> notes_of(const span_node& n) {
  std::vector<note> out;
  if (n.is_error()) {
    out.push_back(
        {"✗ " + (n.span.status.message.empty() ? "error" : n.span.status.message), ansi::red});
  }
  if (n.orphan)
    out.push_back({"orphan (parent " + n.span.parent.hex() + " missing)", ansi::yellow});
  if (n.cycle_broken)
    out.push_back({"cycle broken (parent " + n.span.parent.hex() + ")", ansi::yellow});
  if (n.clock_skew) out.push_back({"clock skew", ansi::yellow});
  if (n.duplicate_id) out.push_back({"duplicate id " + n.span.span.hex(), ansi::yellow});
  if (!n.span.links.empty())
    out.push_back({counted(n.span.links.size(), "link", "links"), ansi::dim});
  return out;
}

std::size_t notes_cells(const std::vector<note>& notes) {
  std::size_t n = 0;
  for (const auto& x : notes) n += 2 + cell_width(x.text);
  return n;
}

/// Cells of everything but the name, service and bar: "  " before the service, kind, offset,
/// duration, self time and the critical-path mark.
std::size_t fixed_cells(const layout& l) {
  return 2 + (l.show_kind ? 2 + l.kind : 0) + 2 + offset_cells + 2 + time_cells +
         (l.show_self ? 7 + time_cells : 0) + 2;
}

/// Fits the columns in l.width, giving up, in this order, until the line fits: long names
/// and services (to 20 and 10 cells), the self-time column, room for notes (to 10), the kind
/// column, names and services (to 10 and 6), room for notes (to 4), the waterfall, and then
/// any name cell left. Notes longer than the room left on their line end in `…`.
void fit(layout& l, std::size_t notes, std::size_t min_bar) {
  const auto natural_name = l.name;
  const auto natural_service = l.service;
  std::size_t reserve = std::min<std::size_t>(notes, 16);
  std::size_t bar = min_bar + 3;  // " │" + bar + "│"
  const auto used = [&] { return l.name + l.service + fixed_cells(l) + bar + reserve; };
  const auto over = [&] { return used() > l.width ? used() - l.width : 0; };
  const auto shrink = [&](std::size_t name_min, std::size_t service_min) {
    shrink_widest(
        {{&l.name, std::min(l.name, name_min)}, {&l.service, std::min(l.service, service_min)}},
        over());
  };
  shrink(20, 10);
  if (over() > 0) l.show_self = false;
  if (over() > 0) reserve = std::min<std::size_t>(reserve, 10);
  if (over() > 0) l.show_kind = false;
  if (over() > 0) shrink(10, 6);
  if (over() > 0) reserve = std::min<std::size_t>(reserve, 4);
  if (over() > 0) bar = 0;
  if (over() > 0) shrink(1, 1);
  // Room left (a step freed more than needed): names first, then the waterfall.
  for (auto [w, natural] : {std::pair{&l.name, natural_name}, {&l.service, natural_service}}) {
    const auto room = used() < l.width ? l.width - used() : 0;
    *w += std::min(room, natural - *w);
  }
  l.bar = bar == 0 ? 0 : l.width - (used() - bar) - 3;
}

layout measure(const trace_tree& t, const visibility& visible, const tree_render_options& o) {
  layout l;
  l.width = o.width;
  l.last.assign(t.nodes.size(), false);
  l.has_children.assign(t.nodes.size(), false);
  mark_last(t.roots, visible, l);
  std::size_t notes = 0;
  for (std::uint32_t i = 0; i < t.nodes.size(); ++i) {
    const auto& node = t.nodes[i];
    if (!visible[i]) continue;
    mark_last(node.children, visible, l);
    if (node.parent != no_node) l.has_children[node.parent] = true;
    const auto name = std::min(cell_width(node.span.name), o.max_name_cells);
    l.name = std::max(l.name, 3 * std::size_t{node.depth} + name);
    l.service = std::max(l.service, cell_width(service_name(node.span)));
    l.kind = std::max(l.kind, trace::to_string(node.span.kind).size());
    notes = std::max(notes, notes_cells(notes_of(node)));
  }
  if (o.width > 0) fit(l, notes, o.min_waterfall);
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

/// The notes, as many as fit in `room` cells (the last one cut with `…`); all when room is
/// unlimited (npos).
void append_notes(std::string& out, const span_node& n, std::size_t room, bool colour) {
  for (const auto& x : notes_of(n)) {
    if (room != std::string::npos && room < 2 + 2) return;  // not even "  ✗…"
    out += "  ";
    const auto text =
        room == std::string::npos ? terminal_text(x.text) : truncate_cells(x.text, room - 2);
    append_coloured(out, text, x.colour, colour);
    if (room != std::string::npos) room -= std::min(room, 2 + cell_width(text));
  }
}

/// The tree prefix and the name in `cells`: a prefix too deep to leave room for the name
/// keeps its last levels after a `…`.
void append_name(std::string& out, const std::string& prefix, std::string_view name,
                 std::size_t cells, std::size_t max_name) {
  const auto name_cells = std::min(cell_width(name), max_name);
  const auto prefix_cells = cell_width(prefix);
  const auto keep_name = std::min<std::size_t>(name_cells, 6);
  std::string shown_prefix = prefix;
  if (prefix_cells + keep_name > cells) {
    // Every prefix character is one cell: keep the last ones that leave room for the name.
    const auto room = cells > keep_name + 1 ? cells - keep_name - 1 : 0;
    std::string tail;
    std::size_t taken = 0;
    for (std::size_t i = prefix.size(); i > 0 && taken < room;) {
      std::size_t start = i - 1;
      while (start > 0 && (static_cast<unsigned char>(prefix[start]) & 0xC0) == 0x80) --start;
      tail.insert(0, prefix, start, i - start);
      i = start;
      ++taken;
    }
    shown_prefix = room > 0 || cells > keep_name ? "…" + tail : std::string();
  }
  out += shown_prefix;
  const auto left = cells > cell_width(shown_prefix) ? cells - cell_width(shown_prefix) : 0;
  append_padded(out, truncate_cells(name, std::min(left, max_name)), left);
}

/// Appends one span's line (at most l.width cells when there is a width).
void append_span_line(std::string& out, const trace_tree& t, std::uint32_t i, const layout& l,
                      const std::string& prefix, const tree_render_options& o) {
  const auto& n = t.nodes[i];
  const auto service = truncate_cells(service_name(n.span), l.service);
  append_name(out, prefix, n.span.name, l.name, o.max_name_cells);
  out += "  ";
  append_coloured(out, service, service_colour(service_name(n.span)), o.colour);
  out.append(l.service - cell_width(service), ' ');
  if (l.show_kind) {
    out += "  ";
    append_padded(out, trace::to_string(n.span.kind), l.kind);
  }
  out += "  ";
  append_right(out, "+" + format_duration(n.span.start_unix_nano - t.start_unix_nano),
               offset_cells);
  out += "  ";
  append_right(out, format_duration(n.duration_ns()), time_cells);
  if (l.show_self) {
    out += "  self ";
    append_right(out, format_duration(n.self_time_ns), time_cells);
  }
  out += ' ';
  append_coloured(out, n.on_critical_path ? "◆" : " ", ansi::bold, o.colour && n.on_critical_path);
  if (l.bar > 0) {
    out += ' ';
    append_bar(out,
               scale_bar(t.start_unix_nano, t.end_unix_nano, n.span.start_unix_nano,
                         n.span.end_unix_nano, l.bar),
               l.bar, service_colour(service_name(n.span)), o.colour);
  }
  std::size_t room = std::string::npos;
  if (l.width > 0) {
    const auto used = l.name + l.service + fixed_cells(l) + (l.bar > 0 ? l.bar + 3 : 0);
    room = l.width > used ? l.width - used : 0;
  }
  append_notes(out, n, room, o.colour);
}

void end_line(std::string& out) {
  while (!out.empty() && out.back() == ' ') out.pop_back();
  out += '\n';
}

/// One line under a span: the children's prefix and `text`, cut to `width` (0: no limit).
void append_detail(std::string& out, const std::string& prefix, const std::string& text,
                   std::size_t width) {
  const auto cells = width > 0 ? width : cell_width(prefix) + cell_width(text);
  append_name(out, prefix, text, cells, std::string::npos);
  end_line(out);
}

void append_details(std::string& out, const trace_tree& t, const span_node& n,
                    const std::string& prefix, std::size_t width) {
  for (const auto& a : n.span.attrs) {
    append_detail(out, prefix, a.key + "=" + attribute_text(a.value), width);
  }
  for (const auto& e : n.span.events) {
    const auto at = e.time_unix_nano > t.start_unix_nano ? e.time_unix_nano - t.start_unix_nano : 0;
    auto text = "• +" + format_duration(at) + " " + (e.name.empty() ? "log" : e.name);
    if (!e.attrs.empty()) text += " " + attributes_text(e.attrs);
    append_detail(out, prefix, text, width);
  }
  for (const auto& link : n.span.links) {
    const auto* type = trace::find_attribute(link.attrs, "opentracing.ref_type");
    const auto* type_text = type != nullptr ? std::get_if<std::string>(type) : nullptr;
    append_detail(out, prefix,
                  "↪ " + (type_text != nullptr ? *type_text : std::string("link")) + " " +
                      link.context.trace.hex() + "/" + link.context.span.hex(),
                  width);
  }
}

/// "trace <id>  <start>  <duration>  <counts>": on two lines when one is too narrow.
void append_header(std::string& out, const trace_tree& t, const visibility& visible,
                   std::size_t width) {
  const auto head = "trace " + t.id.hex() + "  " + format_rfc3339(t.start_unix_nano) + "  " +
                    format_duration(t.duration_ns());
  auto counts =
      counted(t.nodes.size(), "span", "spans") + ", " + counted(t.error_count, "error", "errors");
  if (t.orphan_count > 0) counts += ", " + counted(t.orphan_count, "orphan", "orphans");
  if (t.duplicate_count > 0) {
    counts += ", " + counted(t.duplicate_count, "duplicate id", "duplicate ids");
  }
  if (t.cycle_count > 0) counts += ", " + counted(t.cycle_count, "cycle broken", "cycles broken");
  if (t.skew_count > 0) counts += ", " + counted(t.skew_count, "skewed span", "skewed spans");
  const auto shown = visible_count(visible);
  if (shown < t.nodes.size()) {
    counts += "  (showing " + std::to_string(shown) + " of " + std::to_string(t.nodes.size()) + ")";
  }
  if (width == 0 || cell_width(head) + 2 + cell_width(counts) <= width) {
    out += head + "  " + counts;
  } else {
    out += truncate_cells(head, width);
    end_line(out);
    out += truncate_cells("  " + counts, width);
  }
  end_line(out);
}

}  // namespace

std::string render_tree(const trace_tree& tree, const visibility& visible,
                        const tree_render_options& options) {
  std::string out;
  if (tree.nodes.empty()) return out;
  append_header(out, tree, visible, options.width);
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
      append_details(out, tree, n, children_prefix(continues, n.depth, l.has_children[i]),
                     options.width);
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
