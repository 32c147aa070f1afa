#pragma once
/// Flags turned into library values, with the usage errors they can raise:
/// "--min-duration 'abc': <reason>", "show 'xyz': not a trace id; …".

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "jaeger/source.hpp"
#include "jaeger/tree_filter.hpp"
#include "options.hpp"

namespace vmterm::trace_cli {

/// Checks the flags CLI11 takes as text and sets their values in `opt` (width_cells,
/// limit_count, max_input_bytes). Errors name the flag, the value and the fix:
/// "--limit '0': must be at least 1".
[[nodiscard]] expected<void> check_flags(options& opt);

[[nodiscard]] expected<jaeger::tree_filter> make_filter(const options& opt);

/// The search; `now_ns` ends a `--since` range. Without --since/--start, a Jaeger search looks
/// back 1h and a file search (`whole_file`) has no time bounds.
[[nodiscard]] expected<jaeger::search_query> make_query(const options& opt, std::uint64_t now_ns,
                                                        bool whole_file);

/// "in the last 1h", "between <start> and <end>" or "in '<file>'", for "no traces" messages.
[[nodiscard]] std::string describe_range(const options& opt, const std::string& source_name,
                                         bool whole_file);

[[nodiscard]] expected<std::vector<trace::trace_id>> parse_ids(
    const std::vector<std::string>& texts);

}  // namespace vmterm::trace_cli
