#include "jaeger/source.hpp"

#include <utility>

#include "jaeger/search_render.hpp"
#include "jaeger/span_tree.hpp"

namespace vmterm::jaeger {

expected<std::vector<trace_summary>> source::summaries(const search_query& query) {
  auto spans = search(query);
  if (!spans) return tl::unexpected(spans.error());
  std::vector<trace_summary> out;
  for (const auto& tree : build_trees(std::move(*spans))) out.push_back(summarize(tree));
  newest_first(out, query.limit);
  return out;
}

}  // namespace vmterm::jaeger
