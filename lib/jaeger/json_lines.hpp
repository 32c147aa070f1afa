#pragma once
/// One line of OTLP JSON lines decoded on its own, with an error that says where in the file
/// it went wrong, once: "traces.jsonl:2: truncated JSON" (a line a writer never finished),
/// "traces.jsonl:3:15: not JSON (invalid literal; last read: '{x')", or
/// "traces.jsonl:4: resourceSpans[0]…traceId: 'xyz' is not a hex trace id (32 digits)".
/// Pure; used by file sources and `show --follow`, which skip such a line and read on.

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "trace/span_data.hpp"

namespace vmterm::jaeger {

/// Appends the spans of `line` (line `number` of `input_name`) to `out`; on an error `out` is
/// left as it was. A blank line adds nothing and is not an error.
[[nodiscard]] expected<void> decode_json_line(std::string_view line, std::size_t number,
                                              std::string_view input_name,
                                              std::vector<trace::span_data>& out);

/// Counts the lines skipped while reading one input and says so once: the first in full (the
/// caller prints it as it comes), the rest in one closing summary.
class skipped_lines {
 public:
  /// Records a bad line; returns the message to print now ("<error>, skipped"), or an empty
  /// string when an earlier line was already reported.
  [[nodiscard]] std::string add(const error& e, std::size_t number);
  /// "traces.jsonl: 3 more unreadable lines skipped (5, 9, 12)", or "" when at most one.
  [[nodiscard]] std::string summary(std::string_view input_name) const;
  [[nodiscard]] std::size_t count() const noexcept { return count_; }
  [[nodiscard]] const error* first() const noexcept { return count_ > 0 ? &first_ : nullptr; }

 private:
  std::size_t count_ = 0;
  error first_{};
  std::vector<std::size_t> later_{};  ///< line numbers of the first few after the first
};

}  // namespace vmterm::jaeger
