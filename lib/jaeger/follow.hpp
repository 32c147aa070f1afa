#pragma once
/// `show --follow`: tail an OTLP JSON lines file (or stdin) and hand over each trace once it
/// is complete, as the file exporters append spans in batches. A trace is complete when its
/// root span has arrived and no span of it arrived for `quiet`; a trace whose root never comes
/// is handed over after 10 × `quiet`. A file that shrinks is read again from its start
/// (rotation), like `tail -F`. Blocking; returns when `stop()` says so or stdin closes.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "trace/span_data.hpp"

namespace vmterm::jaeger {

struct follow_options {
  std::string path{};                        ///< "-": stdin
  std::vector<trace::trace_id> ids{};        ///< only these traces; empty: every new trace
  bool include_existing = false;             ///< also traces already in the file (stdin: always)
  std::chrono::milliseconds poll{100};       ///< how often a file at its end is read again
  std::chrono::milliseconds quiet{400};      ///< no new span for this long: the trace is done
  std::function<bool()> stop{};              ///< asked after each poll; empty: never stop
  std::function<void(const error&)> warn{};  ///< lines that do not decode (then skipped)
};

using trace_sink = std::function<void(std::vector<trace::span_data>)>;

/// Fails only when the input cannot be opened: "read '<path>': <reason>".
[[nodiscard]] expected<void> follow(const follow_options& options, const trace_sink& on_trace);

}  // namespace vmterm::jaeger
