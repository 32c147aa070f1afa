#include "jaeger/local_query.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <utility>

#include "jaeger/attribute_text.hpp"
#include "jaeger/span_tree.hpp"

namespace vmterm::jaeger {
namespace {

/// An attribute's value as a tag filter compares it: strings bare, everything else as text.
std::string tag_text(const trace::attribute_value& value) {
  if (const auto* s = std::get_if<std::string>(&value)) return *s;
  return attribute_text(value);
}

bool has_tag(const trace::attributes& attrs, const std::string& key, const std::string& value) {
  return std::any_of(attrs.begin(), attrs.end(), [&](const trace::attribute& a) {
    return a.key == key && tag_text(a.value) == value;
  });
}

bool has_tag(const trace::span_data& span, const std::string& key, const std::string& value) {
  if (has_tag(span.attrs, key, value)) return true;
  return span.resource && has_tag(span.resource->attrs, key, value);
}

std::uint64_t duration_of(const trace::span_data& s) {
  return s.end_unix_nano > s.start_unix_nano ? s.end_unix_nano - s.start_unix_nano : 0;
}

/// One trace of the input: where its spans are and what search needs to know about it.
struct trace_group {
  std::vector<std::size_t> spans{};
  std::uint64_t start = UINT64_MAX;
  bool matched = false;
  bool has_error = false;
};

}  // namespace

std::vector<std::string> list_services(const std::vector<trace::span_data>& spans) {
  std::set<std::string, std::less<>> names;
  for (const auto& s : spans) {
    const auto name = service_name(s);
    if (!name.empty() && !names.contains(name)) names.emplace(name);
  }
  return {names.begin(), names.end()};
}

std::vector<operation_info> list_operations(const std::vector<trace::span_data>& spans,
                                            std::string_view service, std::string_view kind) {
  std::set<std::pair<std::string, std::string>> ops;
  for (const auto& s : spans) {
    if (service_name(s) != service) continue;
    const std::string k(trace::to_string(s.kind));
    if (!kind.empty() && k != kind) continue;
    ops.emplace(s.name, k);
  }
  std::vector<operation_info> out;
  out.reserve(ops.size());
  for (const auto& [name, k] : ops) out.push_back({name, k});
  return out;
}

bool span_matches(const trace::span_data& span, const search_query& query) {
  if (!query.service.empty() && service_name(span) != query.service) return false;
  if (query.operation && span.name != *query.operation) return false;
  const auto d = duration_of(span);
  if (d < query.min_duration_ns) return false;
  if (query.max_duration_ns && d > *query.max_duration_ns) return false;
  if (query.start_unix_nano != 0 && span.start_unix_nano < query.start_unix_nano) return false;
  if (query.end_unix_nano != 0 && span.start_unix_nano > query.end_unix_nano) return false;
  return std::all_of(query.tags.begin(), query.tags.end(),
                     [&](const auto& tag) { return has_tag(span, tag.first, tag.second); });
}

std::vector<trace::span_data> search_spans(std::vector<trace::span_data> spans,
                                           const search_query& query) {
  std::map<trace::trace_id, trace_group> groups;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    auto& g = groups[spans[i].trace];
    g.spans.push_back(i);
    g.start = std::min(g.start, spans[i].start_unix_nano);
    g.matched = g.matched || span_matches(spans[i], query);
    g.has_error = g.has_error || spans[i].status.code == trace::status_code::error;
  }
  std::vector<const trace_group*> hits;
  for (const auto& [id, g] : groups) {
    if (g.matched && (!query.errors_only || g.has_error)) hits.push_back(&g);
  }
  std::stable_sort(hits.begin(), hits.end(),
                   [](const trace_group* a, const trace_group* b) { return a->start > b->start; });
  if (query.limit != 0 && hits.size() > query.limit) hits.resize(query.limit);
  std::vector<trace::span_data> out;
  for (const auto* g : hits) {
    for (auto i : g->spans) out.push_back(std::move(spans[i]));
  }
  return out;
}

std::vector<trace::span_data> spans_of(std::vector<trace::span_data> spans,
                                       const std::vector<trace::trace_id>& ids) {
  std::map<trace::trace_id, std::vector<std::size_t>> where;
  for (const auto& id : ids) where.try_emplace(id);
  for (std::size_t i = 0; i < spans.size(); ++i) {
    auto it = where.find(spans[i].trace);
    if (it != where.end()) it->second.push_back(i);
  }
  std::vector<trace::span_data> out;
  for (const auto& id : ids) {
    auto& list = where[id];
    for (auto i : list) out.push_back(std::move(spans[i]));
    list.clear();  // an id given twice is shown once
  }
  return out;
}

}  // namespace vmterm::jaeger
