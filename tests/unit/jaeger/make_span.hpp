#pragma once
// Hand-made spans for the jaeger unit tests: ids from short hex, times in µs from a fixed
// trace start, one shared resource per service.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "jaeger/span_tree.hpp"
#include "trace/span_data.hpp"

namespace vmterm::jaeger::test {

inline constexpr std::uint64_t t0_ns = 1'706'678'909'209'712'000ULL;  // 2024-01-31T05:28:29.209712Z

inline trace::trace_id tid(std::string_view hex = "4bf92f3577b34da6a3ce929d0e0e4736") {
  return *trace::trace_id::from_hex(hex);
}

/// A span id spelling `name` (up to 8 characters) in its last bytes: "a" is 0000000000000061.
inline trace::span_id sid(std::string_view name) {
  trace::span_id id;
  for (std::size_t i = 0; i < name.size() && i < 8; ++i) {
    id.bytes[8 - name.size() + i] = static_cast<std::uint8_t>(name[i]);
  }
  return id;
}

inline std::shared_ptr<const trace::resource> service(const std::string& name) {
  static std::map<std::string, std::shared_ptr<const trace::resource>> cache;
  auto& r = cache[name];
  if (!r) r = std::make_shared<const trace::resource>(trace::resource{{{"service.name", name}}, 0});
  return r;
}

/// A span `id` (short hex) under `parent` ("" for a root), [start_us, end_us) after t0.
inline trace::span_data span(std::string_view id, std::string_view parent, std::string name,
                             std::uint64_t start_us, std::uint64_t end_us,
                             const std::string& svc = "svc") {
  trace::span_data s;
  s.trace = tid();
  s.span = sid(id);
  if (!parent.empty()) s.parent = sid(parent);
  s.name = std::move(name);
  s.start_unix_nano = t0_ns + start_us * 1000;
  s.end_unix_nano = t0_ns + end_us * 1000;
  s.resource = service(svc);
  return s;
}

/// The node carrying span `id` (the first one, when ids repeat).
inline const span_node& node(const trace_tree& t, std::string_view id) {
  for (const auto& n : t.nodes) {
    if (n.span.span == sid(id)) return n;
  }
  throw std::runtime_error("no span " + std::string(id));
}

inline std::uint32_t index_of(const trace_tree& t, std::string_view id) {
  return static_cast<std::uint32_t>(&node(t, id) - t.nodes.data());
}

/// The names of the spans in depth-first order.
inline std::vector<std::string> names_in_order(const trace_tree& t) {
  std::vector<std::string> out;
  for (auto i : t.order) out.push_back(t.nodes[i].span.name);
  return out;
}

}  // namespace vmterm::jaeger::test
