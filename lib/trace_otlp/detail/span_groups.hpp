#pragma once
/// Spans grouped as OTLP nests them (resourceSpans → scopeSpans → spans), shared by the JSON
/// and protobuf encoders. Internal.

#include <algorithm>
#include <span>
#include <vector>

#include "trace/span_data.hpp"

namespace vmterm::trace_otlp::detail {

struct scope_group {
  const trace::instrumentation_scope* scope;
  std::vector<std::size_t> spans;
};
struct resource_group {
  const trace::resource* resource;
  std::vector<scope_group> scopes;
};

/// OTLP Span.flags bits above the W3C trace flags.
inline constexpr std::uint32_t flag_has_is_remote = 0x100;
inline constexpr std::uint32_t flag_is_remote = 0x200;

[[nodiscard]] inline std::uint32_t otlp_flags(std::uint8_t w3c, bool remote) noexcept {
  return w3c | flag_has_is_remote | (remote ? flag_is_remote : 0U);
}

/// The i-th span of a batch held contiguously (export_spans) or as pointers to records where
/// they are (export_records): the encoders are written once over either.
[[nodiscard]] inline const trace::span_data& at(std::span<const trace::span_data> spans,
                                                std::size_t i) noexcept {
  return spans[i];
}
[[nodiscard]] inline const trace::span_data& at(std::span<const trace::span_data* const> spans,
                                                std::size_t i) noexcept {
  return *spans[i];
}

/// Groups span indexes by resource, then scope (by pointer), each in order of first appearance.
template <class Spans>
[[nodiscard]] std::vector<resource_group> group(Spans spans) {
  std::vector<resource_group> groups;
  scope_group* last = nullptr;  // the group of the previous span, which usually matches
  const trace::resource* last_resource = nullptr;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const auto* r = at(spans, i).resource.get();
    const auto* sc = at(spans, i).scope.get();
    if (last == nullptr || last_resource != r || last->scope != sc) {
      auto rg = std::find_if(groups.begin(), groups.end(),
                             [r](const resource_group& g) { return g.resource == r; });
      if (rg == groups.end()) rg = groups.insert(groups.end(), resource_group{r, {}});
      auto sg = std::find_if(rg->scopes.begin(), rg->scopes.end(),
                             [sc](const scope_group& g) { return g.scope == sc; });
      if (sg == rg->scopes.end()) sg = rg->scopes.insert(rg->scopes.end(), scope_group{sc, {}});
      last = &*sg;
      last_resource = r;
    }
    last->spans.push_back(i);
  }
  return groups;
}

}  // namespace vmterm::trace_otlp::detail
