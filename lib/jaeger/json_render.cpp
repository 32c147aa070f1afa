#include "jaeger/json_render.hpp"

#include <sstream>

#include <nlohmann/json.hpp>

namespace vmterm::jaeger {
namespace {

using json = nlohmann::ordered_json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json attributes_json(const trace::attributes& attrs) {
  json out = json::object();
  for (const auto& a : attrs) {
    std::visit([&](const auto& v) { out[a.key] = v; }, a.value);
  }
  return out;
}

std::string_view status_text(trace::status_code code) {
  switch (code) {
    case trace::status_code::ok:
      return "ok";
    case trace::status_code::error:
      return "error";
    case trace::status_code::unset:
      break;
  }
  return "unset";
}

json anomalies(const span_node& n) {
  json out = json::array();
  if (n.orphan) out.push_back("orphan");
  if (n.clock_skew) out.push_back("clock_skew");
  if (n.duplicate_id) out.push_back("duplicate_id");
  if (n.cycle_broken) out.push_back("cycle_broken");
  return out;
}

json events_json(const trace::span_data& s) {
  json out = json::array();
  for (const auto& e : s.events) {
    out.push_back({{"name", e.name},
                   {"time_unix_nano", std::to_string(e.time_unix_nano)},
                   {"attributes", attributes_json(e.attrs)}});
  }
  return out;
}

json links_json(const trace::span_data& s) {
  json out = json::array();
  for (const auto& l : s.links) {
    out.push_back({{"trace_id", l.context.trace.hex()},
                   {"span_id", l.context.span.hex()},
                   {"attributes", attributes_json(l.attrs)}});
  }
  return out;
}

json span_json(const span_node& n) {
  const auto& s = n.span;
  json j = json::object();
  j["span_id"] = s.span.hex();
  j["parent_span_id"] = s.parent.valid() ? json(s.parent.hex()) : json(nullptr);
  j["depth"] = n.depth;
  j["service"] = std::string(service_name(s));
  j["name"] = s.name;
  j["kind"] = std::string(trace::to_string(s.kind));
  j["start_unix_nano"] = std::to_string(s.start_unix_nano);
  j["end_unix_nano"] = std::to_string(s.end_unix_nano);
  j["duration_ns"] = n.duration_ns();
  j["self_time_ns"] = n.self_time_ns;
  j["status"] = {{"code", status_text(s.status.code)}, {"message", s.status.message}};
  j["attributes"] = attributes_json(s.attrs);
  j["events"] = events_json(s);
  j["links"] = links_json(s);
  j["on_critical_path"] = n.on_critical_path;
  j["anomalies"] = anomalies(n);
  return j;
}

/// The trace's own fields; "spans" is appended span by span, so that a 100,000-span trace
/// is never one JSON tree in memory.
json trace_fields(const trace_tree& t) {
  json j = json::object();
  j["trace_id"] = t.id.hex();
  j["start_unix_nano"] = std::to_string(t.start_unix_nano);
  j["end_unix_nano"] = std::to_string(t.end_unix_nano);
  j["duration_ns"] = t.duration_ns();
  if (t.roots.empty()) {
    j["root"] = nullptr;
  } else {
    const auto& r = t.root().span;
    j["root"] = {
        {"span_id", r.span.hex()}, {"service", std::string(service_name(r))}, {"name", r.name}};
  }
  j["span_count"] = t.nodes.size();
  j["error_count"] = t.error_count;
  j["orphan_count"] = t.orphan_count;
  j["duplicate_count"] = t.duplicate_count;
  j["cycle_count"] = t.cycle_count;
  return j;
}

}  // namespace

void write_json(std::ostream& out, const trace_tree& tree, const visibility& visible) {
  std::string chunk = dump(trace_fields(tree));
  chunk.pop_back();  // the closing brace: "spans" follows
  chunk += ",\"spans\":[";
  bool first = true;
  for (auto i : tree.order) {
    if (!visible[i]) continue;
    if (!first) chunk += ',';
    first = false;
    chunk += dump(span_json(tree.nodes[i]));
    if (chunk.size() >= (std::size_t{64} << 10)) {  // a 100,000-span trace never is one string
      out << chunk;
      chunk.clear();
    }
  }
  chunk += "]}\n";
  out << chunk;
}

std::string render_json(const trace_tree& tree, const visibility& visible) {
  std::ostringstream out;
  write_json(out, tree, visible);
  return std::move(out).str();
}

std::string render_json(const std::vector<trace_tree>& trees) {
  std::string out;
  for (const auto& t : trees) out += render_json(t, visibility(t.nodes.size(), true));
  return out;
}

}  // namespace vmterm::jaeger
