#pragma once
/// A file of traces as a source: OTLP JSON (one document, or JSON lines as the file exporters
/// write them) or Jaeger v1 JSON (a saved `/api/traces` answer or a trace downloaded from
/// Jaeger's UI); `-` reads stdin. The format is detected from the text. services, operations
/// and search are computed from the spans (local_query.hpp). The input is read once, on first
/// use, through trace_input (bounded, refusing what is not JSON), and its spans kept: stdin
/// cannot be read twice. In JSON lines, a line that does not decode (typically the last line
/// of a file a writer is appending to, or left by a crash) is skipped with one warning; only
/// an input with no readable line at all is an error.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jaeger/source.hpp"
#include "jaeger/trace_input.hpp"

namespace vmterm::jaeger {

enum class file_format { otlp_json, otlp_json_lines, jaeger_v1 };

/// OTLP JSON lines when the first line is a whole OTLP object, OTLP JSON when
/// "resourceSpans" appears near the start, Jaeger v1 JSON otherwise.
[[nodiscard]] file_format detect_format(std::string_view text) noexcept;

/// Decodes text of any supported format into spans; `name` names it in errors.
[[nodiscard]] expected<std::vector<trace::span_data>> decode_any(std::string_view text,
                                                                 std::string_view name);

struct file_source_options {
  input_options input{};
  /// Lines skipped while reading ("traces.jsonl:2: truncated JSON, skipped"); empty: silent.
  std::function<void(const std::string&)> warn{};
};

class file_source final : public source {
 public:
  explicit file_source(std::string path, file_source_options options = {})
      : path_(std::move(path)), options_(std::move(options)) {}

  [[nodiscard]] std::string name() const override { return path_; }
  [[nodiscard]] expected<std::vector<std::string>> services() override;
  [[nodiscard]] expected<std::vector<operation_info>> operations(const std::string& service,
                                                                 const std::string& kind) override;
  [[nodiscard]] expected<std::vector<trace::span_data>> search(const search_query& query) override;
  [[nodiscard]] expected<std::vector<trace::span_data>> get(
      std::span<const trace::trace_id> ids) override;
  [[nodiscard]] expected<std::string> get_otlp(std::span<const trace::trace_id> ids) override;

 private:
  /// Reads and decodes the input the first time; later calls return the same spans.
  expected<const std::vector<trace::span_data>*> load();
  /// Takes the loaded spans (commands need them once); a later load() reads them again.
  expected<std::vector<trace::span_data>> take();

  /// Opens the input once (stdin cannot be read again).
  expected<trace_input> open_input();
  /// Every readable line's spans; warns about the others.
  expected<std::vector<trace::span_data>> read_lines(trace_input& in);

  std::string path_;
  file_source_options options_;
  bool opened_ = false;
  std::optional<std::vector<trace::span_data>> spans_{};
};

/// "trace '<id>' not found in '<source>'" (the error of a get() that misses).
[[nodiscard]] error trace_not_found(const trace::trace_id& id, std::string_view source_name);

}  // namespace vmterm::jaeger
