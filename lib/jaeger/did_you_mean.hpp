#pragma once
/// "Did you mean" for names a user types (services, operations): the nearest known name by
/// edit distance, and the message vmterm-trace prints (STYLE.md section 2.4), e.g.
/// `unknown service 'chekout', did you mean 'checkout'?`

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vmterm::jaeger {

/// Levenshtein distance (insert, delete, replace each cost 1), over bytes.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

/// The known name closest to `name`, if close enough to be a typo: a case-insensitive match,
/// or at most max(1, min(3, size/3)) edits away. Ties go to the earlier name in `known`.
[[nodiscard]] std::optional<std::string> nearest_name(std::string_view name,
                                                      std::span<const std::string> known);

/// `unknown <what> '<name>', did you mean '<nearest>'?`, or without a near name
/// `unknown <what> '<name>'; known <what>s: a, b, c` (at most 10, then `and N more`), or
/// `unknown <what> '<name>'; no <what>s are known`. No tool prefix: the caller adds it.
[[nodiscard]] std::string unknown_name_message(std::string_view what, std::string_view name,
                                               std::span<const std::string> known);

}  // namespace vmterm::jaeger
